using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Conference.Web.Circuits;

/// <summary>
/// Whether this circuit's page is connected now. Blazor keeps a circuit whose page went away for minutes (it may come
/// back), so a component that must act when its person has gone — a guest waiting in the lobby whose browser died
/// without its pagehide beacon — watches the connection instead of waiting for the circuit's end.
/// </summary>
public sealed class CircuitConnection
{
    /// <summary>Whether the page is connected (true until the circuit says otherwise).</summary>
    public bool IsUp { get; private set; } = true;

    /// <summary>The page's connection went down (false) or came back (true). Raised off the renderer's thread.</summary>
    public event Action<bool>? Changed;

    /// <summary>The page's connection went down (from <see cref="Handler"/>).</summary>
    public void Down() => Set(false);

    /// <summary>The page's connection came back, or was made (from <see cref="Handler"/>).</summary>
    public void Up() => Set(true);

    void Set(bool up)
    {
        IsUp = up;
        Changed?.Invoke(up);
    }

    /// <summary>Passes the circuit's connection events to its <see cref="CircuitConnection"/>.</summary>
    public sealed class Handler(CircuitConnection connection) : CircuitHandler
    {
        public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            connection.Up();
            return Task.CompletedTask;
        }

        public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            connection.Down();
            return Task.CompletedTask;
        }
    }
}
