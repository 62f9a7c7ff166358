using Conference.LiveKit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Conference.Tests.LiveKit;

/// <summary><c>AddLiveKitClient</c> reads Aspire's connection string or the LiveKit section and checks them.</summary>
public sealed class LiveKitRegistrationTests
{
    static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddLiveKitClient("livekit");
        return builder.Build();
    }

    [Fact]
    public void Reads_the_Aspire_connection_string()
    {
        using var host = Build(new() { ["ConnectionStrings:livekit"] = "Endpoint=http://livekit:7880;ApiKey=devkey;ApiSecret=secret" });

        var options = host.Services.GetRequiredService<IOptions<LiveKitOptions>>().Value;
        Assert.Equal(new Uri("http://livekit:7880"), options.Url);
        Assert.Equal("devkey", options.ApiKey);
        Assert.Equal("secret", options.ApiSecret);
        Assert.NotNull(host.Services.GetRequiredService<RoomServiceClient>());
        Assert.NotNull(host.Services.GetRequiredService<EgressClient>());
        Assert.NotNull(host.Services.GetRequiredService<WebhookReceiver>());
        var token = new AccessToken("devkey", "secret").ToJwt();
        Assert.Equal("devkey", host.Services.GetRequiredService<TokenVerifier>().Verify(token).Issuer);
    }

    [Fact]
    public void Reads_the_LiveKit_section()
    {
        using var host = Build(new()
        {
            ["LiveKit:Url"] = "wss://livekit.example.com",
            ["LiveKit:ApiKey"] = "APIkey",
            ["LiveKit:ApiSecret"] = "a-secret",
        });

        var options = host.Services.GetRequiredService<IOptions<LiveKitOptions>>().Value;
        Assert.Equal("APIkey", options.ApiKey);
        Assert.Equal(new Uri("https://livekit.example.com/"), options.HttpBaseAddress());
    }

    [Fact]
    public async Task Missing_settings_stop_the_start_with_a_clear_message()
    {
        using var host = Build(new() { ["LiveKit:ApiKey"] = "APIkey" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("LiveKit server URL is missing", error.Message);
        Assert.Contains("API secret is missing", error.Message);
        Assert.Contains("ConnectionStrings:livekit", error.Message);
    }

    [Fact]
    public void A_bad_endpoint_is_reported() =>
        Assert.Contains("not an absolute URL",
            Assert.Throws<FormatException>(() => new LiveKitOptions().ParseConnectionString("Endpoint=livekit;ApiKey=k;ApiSecret=s")).Message);
}
