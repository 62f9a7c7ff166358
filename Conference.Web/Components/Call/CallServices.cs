namespace Conference.Web.Components.Call;

public static class CallServices
{
    /// <summary>The browser media behind the call pages; per circuit, as the JS module lives in one tab.</summary>
    public static IServiceCollection AddCallServices(this IServiceCollection services)
    {
        services.AddScoped<CallModule>();
        services.AddScoped<CallOnThisTab>();
        services.AddSingleton<Conference.Web.Meetings.LobbyLeaveBeacon>();
        services.AddScoped<Conference.Web.Circuits.CircuitConnection>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, Conference.Web.Circuits.CircuitConnection.Handler>();
        services.AddTransient<ICallMedia, BrowserCallMedia>();
        services.AddTransient<IDevicePreview, BrowserDevicePreview>();
        return services;
    }
}
