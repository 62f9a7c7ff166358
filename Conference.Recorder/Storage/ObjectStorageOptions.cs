using System.Data.Common;

namespace Conference.Recorder.Storage;

/// <summary>
/// The S3-compatible bucket recordings go to: Oracle Object Storage in production
/// (<c>https://NAMESPACE.compat.objectstorage.REGION.oraclecloud.com</c> with a customer secret key), MinIO while
/// developing, s3rver in tests. Egress uploads with these settings and the recorder reads with them.
/// </summary>
public sealed class ObjectStorageOptions
{
    /// <summary>The AppHost passes <c>ConnectionStrings:storage</c> = <c>Endpoint=…;Region=…;Bucket=…;AccessKey=…;SecretKey=…</c>.</summary>
    public const string ConnectionName = "storage";

    public Uri? Endpoint { get; set; }

    /// <summary>
    /// The endpoint as the egress container reaches it, when that differs from what the recorder uses (MinIO in a
    /// container while the recorder runs on the host). In production both reach Oracle at the same address.
    /// </summary>
    public Uri? EgressEndpoint { get; set; }
    public string Region { get; set; } = "us-east-1";
    public string Bucket { get; set; } = "";
    public string AccessKey { get; set; } = "";
    public string SecretKey { get; set; } = "";

    /// <summary>How long a download link works: long enough to start a download, short enough that a shared link dies.</summary>
    public TimeSpan DownloadLinkLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public bool IsConfigured => Endpoint is not null && Bucket.Length > 0 && AccessKey.Length > 0 && SecretKey.Length > 0;

    public void ParseConnectionString(string connectionString)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (parts.TryGetValue("Endpoint", out var endpoint) && endpoint is string url && url.Length > 0)
        {
            Endpoint = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri
                : throw new FormatException($"The storage connection string's Endpoint '{url}' is not an absolute URL.");
        }
        Region = Read(parts, "Region") ?? Region;
        Bucket = Read(parts, "Bucket") ?? Bucket;
        AccessKey = Read(parts, "AccessKey") ?? AccessKey;
        SecretKey = Read(parts, "SecretKey") ?? SecretKey;
    }

    static string? Read(DbConnectionStringBuilder parts, string key) =>
        parts.TryGetValue(key, out var value) && value is string text && text.Length > 0 ? text : null;
}
