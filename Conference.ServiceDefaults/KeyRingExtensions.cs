using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The ASP.NET Core Data Protection key ring of a Conference service: one Redis list for every service and instance,
/// so cookies and tokens survive a restart and are read by any instance of the service that issued them.
/// </summary>
public static class KeyRingExtensions
{
    /// <summary>The Redis list that holds the key ring (keys as XML elements, rotated every 90 days).</summary>
    public const string RedisKey = "conference:dataprotection-keys";

    /// <summary>
    /// Protects with the key ring in Redis when the service has a Redis client (<see cref="IConnectionMultiplexer"/>);
    /// without one (a lone developer run of the web) with Data Protection's default, a directory in the user profile.
    /// </summary>
    /// <param name="builder">The service's builder.</param>
    /// <param name="applicationName">
    /// Isolates what this service protects: another application name cannot unprotect it, though the keys are shared.
    /// Services that must read each other's protected data would need the same name; none does.
    /// </param>
    public static TBuilder AddKeyRing<TBuilder>(this TBuilder builder, string applicationName) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddDataProtection().SetApplicationName(applicationName);
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, services) =>
        {
            if (services.GetService<IConnectionMultiplexer>() is { } redis)
            {
                options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), RedisKey);
            }
        });
        return builder;
    }
}
