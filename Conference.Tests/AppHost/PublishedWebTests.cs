using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.AppHost;

/// <summary>
/// The web as its container image runs it: the publish output (what <c>dotnet publish /t:PublishContainer</c> puts in
/// the image), in the Production environment, with no static web assets from a build. Blazor's script, the site's
/// stylesheet and the call module arrive whole with their content types, as sent and precompressed.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed partial class PublishedWebTests(RedisServer redis)
{
    [Fact]
    public async Task The_published_web_serves_its_scripts_and_styles_in_Production()
    {
        var output = Directory.CreateTempSubdirectory("conference-web-publish-").FullName;
        try
        {
            await PublishAsync(output);
            await using var web = new PublishedWeb(output, redis.ConnectionString);
            await web.InitializeAsync();

            using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{web.Port}/"),
            };
            var home = await http.GetStringAsync("");
            var stylesheet = Stylesheet().Match(home).Groups["href"].Value;
            Assert.NotEmpty(stylesheet);
            // The reconnect dialog's module (Layout/ReconnectModal.razor.js, a component's own script) on every page.
            var reconnect = ReconnectScript().Match(home).Groups["src"].Value;
            Assert.True(reconnect.Length > 0, $"No reconnect module in the page:{Environment.NewLine}{home}");

            foreach (var (path, contentType) in new[] { ("_framework/blazor.web.js", "text/javascript"), (stylesheet, "text/css"), ("js/call.js", "text/javascript"), (reconnect, "text/javascript") })
            {
                foreach (var encoding in new[] { "identity", "gzip", "br" })
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, path);
                    request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
                    using var response = await http.SendAsync(request);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    Assert.True(response.StatusCode == HttpStatusCode.OK && body.Length > 0 && response.Content.Headers.ContentType?.MediaType == contentType,
                        $"{path} ({encoding}): {(int)response.StatusCode}, {response.Content.Headers.ContentType}, {body.Length} bytes");
                    if (encoding != "identity")
                    {
                        Assert.Equal(encoding, response.Content.Headers.ContentEncoding.SingleOrDefault());
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    static async Task PublishAsync(string output)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        using var publish = Process.Start(new ProcessStartInfo("dotnet",
            ["publish", Path.Combine(LocalMachine.RepositoryRoot, "Conference.Web"), "-c", configuration, "-o", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed: {await stderr}{await stdout}");
    }

    [GeneratedRegex("""<link rel="stylesheet" href="(?<href>[^"]+)" """)]
    private static partial Regex Stylesheet();

    [GeneratedRegex("""<script type="module" src="(?<src>[^"]*ReconnectModal[^"]*)"[^>]*>""")]
    private static partial Regex ReconnectScript();

    /// <summary>The published Conference.Web.dll on a free port, in Production; it needs Redis for its keys.</summary>
    sealed class PublishedWeb : LocalServer
    {
        readonly string publishDirectory;

        public PublishedWeb(string publishDirectory, string redis) : base("conference-web")
        {
            this.publishDirectory = publishDirectory;
            ProcessEnvironment["ASPNETCORE_ENVIRONMENT"] = "Production";
            // The image's working directory is the publish directory; the server's here is its own work directory.
            ProcessEnvironment["ASPNETCORE_CONTENTROOT"] = publishDirectory;
            ProcessEnvironment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}";
            ProcessEnvironment["ConnectionStrings__redis"] = redis;
            // Static files need no api; service discovery needs an address for it all the same.
            ProcessEnvironment["services__api__http__0"] = "http://127.0.0.1:9";
        }

        protected override Task StartAsync() => StartProcessAsync("dotnet", [Path.Combine(publishDirectory, "Conference.Web.dll")],
            async cancellationToken =>
            {
                using var http = new HttpClient();
                (await http.GetAsync($"http://127.0.0.1:{Port}/alive", cancellationToken)).EnsureSuccessStatusCode();
            });
    }
}
