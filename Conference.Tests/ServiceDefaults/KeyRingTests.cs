using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Conference.Tests.ServiceDefaults;

/// <summary>
/// The key ring every service keeps in Redis (ServiceDefaults' AddKeyRing), on a real Redis: another instance of a
/// service reads what one protected; another service, under its own application name, cannot.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class KeyRingTests(RedisServer redis)
{
    async Task<IHost> StartAsync(string applicationName)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IConnectionMultiplexer>(await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString));
        builder.AddKeyRing(applicationName);
        return builder.Build();
    }

    static IDataProtector Protector(IHost host) => host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("sign-in");

    [Fact]
    public async Task Another_instance_of_the_service_reads_what_one_protected_and_the_keys_are_in_redis()
    {
        using var first = await StartAsync("Conference.KeyRingTests.Same");
        var protectedText = Protector(first).Protect("ada");

        using var second = await StartAsync("Conference.KeyRingTests.Same");
        Assert.Equal("ada", Protector(second).Unprotect(protectedText));

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        Assert.True(await connection.GetDatabase().ListLengthAsync(KeyRingExtensions.RedisKey) > 0);
    }

    [Fact]
    public async Task Another_service_with_its_own_application_name_cannot_read_it()
    {
        using var api = await StartAsync("Conference.KeyRingTests.Api");
        var protectedText = Protector(api).Protect("ada");

        using var web = await StartAsync("Conference.KeyRingTests.Web");
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => Protector(web).Unprotect(protectedText));
    }
}
