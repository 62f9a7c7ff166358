using System.Text.Json.Nodes;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.AppHost;

/// <summary>
/// aspire-manifest.json is committed so reviewers see what a model change does to the deployment. This fails
/// when the model and the file part ways; regenerate with the command in the README.
/// </summary>
public sealed class ManifestDriftTests
{
    [Fact]
    public async Task The_committed_manifest_matches_the_model()
    {
        // Beside the committed file: bind-mount sources are written relative to the manifest's folder.
        var generated = Path.Combine(LocalMachine.RepositoryRoot, $".aspire-manifest-{Guid.NewGuid():N}.json");
        try
        {
            await PublishManifestAsync(generated);

            var committed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(LocalMachine.RepositoryRoot, "aspire-manifest.json")));
            var current = JsonNode.Parse(await File.ReadAllTextAsync(generated));
            Assert.True(JsonNode.DeepEquals(committed, current),
                "aspire-manifest.json is out of date: run `dotnet run --project Conference.AppHost -- --publisher manifest --output-path \"$PWD/aspire-manifest.json\"` in the repository root (a relative path lands in Conference.AppHost/) and commit it.");
        }
        finally
        {
            File.Delete(generated);
        }
    }

    [Fact]
    public async Task The_published_manifest_holds_no_container_only_development_resource_and_no_secret_value()
    {
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(LocalMachine.RepositoryRoot, "aspire-manifest.json")))!["resources"]!.AsObject();

        // Publishing uses Oracle Object Storage by parameters; MinIO is for development only.
        Assert.Equal("value.v0", manifest["storage"]!["type"]!.GetValue<string>());
        Assert.False(manifest.ContainsKey("storage-init"));

        var secret = manifest["livekit-api-secret"]!["inputs"]!["value"]!;
        Assert.True(secret["secret"]!.GetValue<bool>());
        Assert.True(secret["default"]!["generate"]!["minLength"]!.GetValue<int>() >= 32);

        foreach (var name in new[] { "storage-access-key", "storage-secret-key" })
        {
            var input = manifest[name]!["inputs"]!["value"]!;
            Assert.True(input["secret"]!.GetValue<bool>());
            Assert.Null(input["default"]); // the operator's Oracle keys, never a value of ours
        }
    }

    static Task PublishManifestAsync(string outputPath) =>
        AppHostCommand.RunAsync("--publisher", "manifest", "--output-path", outputPath);
}
