using System.Security.Cryptography;
using Conference.Tests.AppHost;
using YamlDotNet.RepresentationModel;

namespace Conference.Tests.Deploy;

/// <summary>
/// The compose deployment as <c>publish-compose</c> writes it, into a temporary directory, from a model whose
/// parameters all have fresh random values: a value that shows up in a file was written where a
/// <c>${VARIABLE}</c> belonged.
/// </summary>
public class PublishedDeployment : IAsyncLifetime
{
    static readonly string[] ParameterNames =
    [
        "livekit-api-key", "livekit-api-secret", "postgres-password", "redis-password", "storage-region", "storage-bucket",
        "storage-access-key", "storage-secret-key", "storage-endpoint", "domain",
    ];

    readonly bool turn;

    public PublishedDeployment() : this(turn: false)
    {
    }

    protected PublishedDeployment(bool turn) => this.turn = turn;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("conference-deploy-").FullName;

    public Dictionary<string, string> ParameterValues { get; } =
        ParameterNames.ToDictionary(name => name, _ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

    public YamlMappingNode Compose { get; private set; } = null!;

    public YamlMappingNode Services => (YamlMappingNode)Compose["services"];

    public string Read(string file) => File.ReadAllText(Path.Combine(Directory, file));

    public async Task InitializeAsync()
    {
        string[] arguments =
        [
            "--operation", "publish", "--step", "publish-compose", "--output-path", Directory,
            .. ParameterValues.Select(p => $"--Parameters:{p.Key}={p.Value}"),
            $"--Conference:Turn={turn}",
        ];
        await AppHostCommand.RunAsync(arguments);

        Compose = YamlPath.Load(Read("docker-compose.yml"));
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>The same, published with <c>--Conference:Turn=true</c>.</summary>
public sealed class PublishedDeploymentWithTurn() : PublishedDeployment(turn: true);
