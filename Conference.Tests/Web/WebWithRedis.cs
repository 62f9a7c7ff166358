using Conference.Tests.Infrastructure;
using Conference.Web.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Conference.Tests.Web;

/// <summary>
/// The web as it registers itself, on a real Redis, with a second connection that publishes as the api and the recorder
/// do and can kill the web's subscription link (<c>CLIENT KILL TYPE pubsub</c>): the base of the change subscribers' tests.
/// </summary>
public abstract class WebWithRedis(RedisServer redis) : IAsyncLifetime
{
    WebApplicationFactory<ApiClient> web = null!;

    /// <summary>The test's own connection (admin commands allowed).</summary>
    protected ConnectionMultiplexer Publisher { get; private set; } = null!;

    /// <summary>A service of the running web, e.g. its notifications.</summary>
    protected T Service<T>() where T : notnull => web.Services.GetRequiredService<T>();

    /// <summary>Publishes <paramref name="json"/> on <paramref name="channel"/> as it stands.</summary>
    protected Task PublishJsonAsync(string channel, string json) => Publisher.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), json);

    /// <summary>Breaks the web's subscription link; StackExchange.Redis then connects again by itself.</summary>
    protected Task KillSubscriptionLinkAsync() => Publisher.GetServers().Single().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");

    public async Task InitializeAsync()
    {
        web = new WebApplicationFactory<ApiClient>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Testing");
            host.UseSetting("Logging:LogLevel:Default", "Warning");
            host.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
        });
        _ = web.Services; // starts the host and its subscribers
        Publisher = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        await Publisher.DisposeAsync();
        await web.DisposeAsync();
    }
}
