namespace Conference.Tests.Infrastructure;

/// <summary>
/// s3rver (npm, pinned in tools/node) standing in for S3 with one bucket. It accepts any credentials and checks
/// no signatures, so never test authentication against it; do compare bytes by hash on every round trip.
/// </summary>
public sealed class S3rverServer() : LocalServer("s3rver")
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    public string Bucket => "conference-tests";

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    protected override Task StartAsync()
    {
        var s3rver = LocalMachine.FindExecutable("s3rver", Path.Combine(LocalMachine.RepositoryRoot, "tools/node/node_modules/.bin"));
        return StartProcessAsync(
            LocalMachine.FindExecutable("node"),
            [s3rver, "-d", WorkDirectory, "-a", "127.0.0.1", "-p", Port.ToString(), "--configure-bucket", Bucket],
            AnswersHttpAsync);
    }

    async Task AnswersHttpAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var response = await http.GetAsync(Endpoint, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
