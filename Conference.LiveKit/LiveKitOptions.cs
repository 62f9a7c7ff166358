using System.Data.Common;
using Microsoft.Extensions.Options;

namespace Conference.LiveKit;

/// <summary>Where LiveKit's server API is and the key pair that signs tokens for it.</summary>
public sealed class LiveKitOptions
{
    /// <summary>The configuration section read when there is no connection string.</summary>
    public const string SectionName = "LiveKit";

    /// <summary>Server URL, e.g. <c>http://localhost:7880</c> (<c>ws(s)://</c> is accepted and means <c>http(s)://</c>).</summary>
    public Uri? Url { get; set; }

    /// <summary>API key (the tokens' issuer).</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>API secret matching <see cref="ApiKey"/>.</summary>
    public string ApiSecret { get; set; } = "";

    /// <summary>
    /// Reads an Aspire connection string <c>Endpoint=http://host:7880;ApiKey=…;ApiSecret=…</c>; keys that are
    /// absent leave the current values alone.
    /// </summary>
    public void ParseConnectionString(string connectionString)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (parts.TryGetValue("Endpoint", out var endpoint) && endpoint is string url)
        {
            Url = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri
                : throw new FormatException($"The LiveKit connection string's Endpoint '{url}' is not an absolute URL.");
        }

        if (parts.TryGetValue("ApiKey", out var apiKey))
        {
            ApiKey = (string)apiKey;
        }

        if (parts.TryGetValue("ApiSecret", out var apiSecret))
        {
            ApiSecret = (string)apiSecret;
        }
    }

    /// <summary>The HTTP base address of the Twirp API.</summary>
    internal Uri HttpBaseAddress()
    {
        var builder = new UriBuilder(Url!);
        builder.Scheme = builder.Scheme switch { "ws" => "http", "wss" => "https", _ => builder.Scheme };
        builder.Port = Url!.IsDefaultPort ? -1 : Url.Port;
        if (!builder.Path.EndsWith('/'))
        {
            builder.Path += "/";
        }

        return builder.Uri;
    }
}

/// <summary>Says plainly what is missing or wrong in <see cref="LiveKitOptions"/>.</summary>
sealed class LiveKitOptionsValidator : IValidateOptions<LiveKitOptions>
{
    const string Where = "Set ConnectionStrings:livekit (Endpoint=http://host:7880;ApiKey=…;ApiSecret=…) or the LiveKit section (Url, ApiKey, ApiSecret).";

    public ValidateOptionsResult Validate(string? name, LiveKitOptions options)
    {
        var failures = new List<string>();
        if (options.Url is null)
        {
            failures.Add($"The LiveKit server URL is missing. {Where}");
        }
        else if (!options.Url.IsAbsoluteUri || options.Url.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            failures.Add($"The LiveKit server URL '{options.Url}' must be an absolute http(s):// or ws(s):// URL.");
        }

        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add($"The LiveKit API key is missing. {Where}");
        }

        if (string.IsNullOrWhiteSpace(options.ApiSecret))
        {
            failures.Add($"The LiveKit API secret is missing. {Where}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
