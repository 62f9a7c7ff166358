using Conference.LiveKit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers Conference.LiveKit in an app.</summary>
public static class LiveKitHostingExtensions
{
    /// <summary>
    /// Adds <see cref="RoomServiceClient"/> and <see cref="EgressClient"/> (typed HTTP clients),
    /// <see cref="TokenVerifier"/> and <see cref="WebhookReceiver"/>. Settings come from the connection string
    /// <c>ConnectionStrings:{connectionName}</c> (<c>Endpoint=http://host:7880;ApiKey=…;ApiSecret=…</c>, as Aspire
    /// passes it) over the <c>LiveKit</c> section (<c>Url</c>, <c>ApiKey</c>, <c>ApiSecret</c>); they are checked at start.
    /// Export telemetry by adding the source and meter <see cref="LiveKitTelemetry.Name"/>.
    /// </summary>
    public static IHostApplicationBuilder AddLiveKitClient(this IHostApplicationBuilder builder, string connectionName = "livekit",
        Action<LiveKitOptions>? configure = null)
    {
        builder.Services.AddOptions<LiveKitOptions>()
            .Bind(builder.Configuration.GetSection(LiveKitOptions.SectionName))
            .Configure(options =>
            {
                if (builder.Configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
                {
                    options.ParseConnectionString(connectionString);
                }

                configure?.Invoke(options);
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LiveKitOptions>, LiveKitOptionsValidator>();
        builder.Services.AddHttpClient<RoomServiceClient>();
        builder.Services.AddHttpClient<EgressClient>();
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<LiveKitOptions>>().Value;
            return new TokenVerifier(options.ApiKey, options.ApiSecret, services.GetService<TimeProvider>());
        });
        builder.Services.AddSingleton<WebhookReceiver>();
        return builder;
    }
}
