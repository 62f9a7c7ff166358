using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Conference.Web.Api;

/// <summary>
/// The address of the browser behind this request or circuit, which the api clients pass on as X-Forwarded-For:
/// the api limits sign-ins and joins per client address, and without it every person would be the web's one address.
/// </summary>
public sealed class CallerAddress
{
    public string? Value { get; set; }

    /// <summary>For page requests (a sign-in form post, a prerender): the request's address, after forwarded headers.</summary>
    public static Task RememberAsync(HttpContext http, Func<Task> next)
    {
        http.RequestServices.GetRequiredService<CallerAddress>().Value = http.Connection.RemoteIpAddress?.ToString();
        return next();
    }

    /// <summary>
    /// For a circuit: its scope outlives any request, so the address is taken once, when the circuit opens, from the
    /// connection request that opened it. Without one the api sees the web's address, as it did before.
    /// </summary>
    public sealed class CircuitHandler(CallerAddress caller, IHttpContextAccessor http) : Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            caller.Value ??= http.HttpContext?.Connection.RemoteIpAddress?.ToString();
            return Task.CompletedTask;
        }
    }
}
