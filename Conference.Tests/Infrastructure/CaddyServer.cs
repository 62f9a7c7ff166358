using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Conference.Tests.Infrastructure;

/// <summary>
/// Caddy running a given Caddyfile. The Caddyfile listens where <c>{$CADDY_PORT}</c> says
/// (e.g. <c>http://127.0.0.1:{$CADDY_PORT}</c>) and can read any of the given environment variables.
/// </summary>
public sealed class CaddyServer : LocalServer
{
    readonly string caddyfile;

    public CaddyServer(string caddyfile, IReadOnlyDictionary<string, string>? environment = null) : base("caddy")
    {
        this.caddyfile = caddyfile;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            ProcessEnvironment[name] = value;
        }
        ProcessEnvironment["CADDY_PORT"] = Port.ToString();
        // Caddy keeps certificates and an autosaved config under these; keep them out of the user's home.
        ProcessEnvironment["XDG_DATA_HOME"] = WorkDirectory;
        ProcessEnvironment["XDG_CONFIG_HOME"] = WorkDirectory;
    }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    public static async Task<CaddyServer> StartAsync(string caddyfile, IReadOnlyDictionary<string, string>? environment = null)
    {
        var caddy = new CaddyServer(caddyfile, environment);
        await caddy.InitializeAsync();
        return caddy;
    }

    /// <summary>For a Caddyfile whose addresses come from variables that must name the port Caddy will listen on.</summary>
    public static async Task<CaddyServer> StartAsync(string caddyfile, Func<int, IReadOnlyDictionary<string, string>> environmentForPort)
    {
        var caddy = new CaddyServer(caddyfile);
        foreach (var (name, value) in environmentForPort(caddy.Port))
        {
            caddy.ProcessEnvironment[name] = value;
        }
        await caddy.InitializeAsync();
        return caddy;
    }

    protected override async Task StartAsync()
    {
        var caddy = LocalMachine.FindExecutable("caddy");
        var caddyfilePath = Path.Combine(WorkDirectory, "Caddyfile");
        await File.WriteAllTextAsync(caddyfilePath, caddyfile);

        // Caddy 2.6 offers no switch for its admin endpoint, and its default (localhost:2019) would clash
        // between servers running in parallel; so adapt the Caddyfile to JSON and turn the endpoint off there.
        var config = JsonNode.Parse(await RunAsync(caddy, ["adapt", "--config", caddyfilePath, "--adapter", "caddyfile"]))!;
        config["admin"] = new JsonObject { ["disabled"] = true };
        var configPath = Path.Combine(WorkDirectory, "caddy.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());

        await StartProcessAsync(caddy, ["run", "--config", configPath], AcceptsConnectionsAsync);
    }

    async Task AcceptsConnectionsAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
    }
}
