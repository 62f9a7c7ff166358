using Conference.Tests.Infrastructure;
using Conference.Web.Api;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Conference.Tests.Web;

/// <summary>The web's sign-in cookie survives a restart or another instance: its key ring is in Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class WebKeyRingTests(RedisServer redis)
{
    WebApplicationFactory<ApiClient> StartWeb() => new WebApplicationFactory<ApiClient>().WithWebHostBuilder(host =>
    {
        host.UseEnvironment("Testing");
        host.UseSetting("Logging:LogLevel:Default", "Warning");
        host.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
    });

    [Fact]
    public async Task What_one_web_instance_protects_another_reads_and_the_keys_are_in_redis()
    {
        await using var first = StartWeb();
        var cookie = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("sign-in").Protect("ada");

        await using var second = StartWeb();
        Assert.Equal("ada", second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("sign-in").Unprotect(cookie));

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.True(await connection.GetDatabase().ListLengthAsync(KeyRingExtensions.RedisKey) > 0);
    }
}
