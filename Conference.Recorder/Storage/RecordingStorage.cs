using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace Conference.Recorder.Storage;

/// <summary>
/// The recordings bucket, read through the S3 API in the dialect Oracle Object Storage accepts: path-style
/// addresses, no aws-chunked uploads, checksums only when an operation requires them.
/// </summary>
public sealed class RecordingStorage : IDisposable
{
    readonly AmazonS3Client client;
    readonly ObjectStorageOptions options;
    readonly TimeProvider clock;
    readonly DownloadLinkSigner signer;

    public RecordingStorage(IOptions<ObjectStorageOptions> options, TimeProvider clock)
    {
        this.options = options.Value;
        this.clock = clock;
        client = CreateClient(this.options);
        signer = new DownloadLinkSigner(this.options);
    }

    public string Bucket => options.Bucket;

    /// <summary>The S3 client settings that work with Oracle's S3 compatibility, MinIO and s3rver alike.</summary>
    public static AmazonS3Client CreateClient(ObjectStorageOptions options)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = options.Endpoint!.ToString(),
            ForcePathStyle = true, // Oracle's compatibility endpoint has no virtual-hosted buckets
            AuthenticationRegion = options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // The reconciler retries on its own schedule; a storage outage should not hold a request for minutes.
            MaxErrorRetry = 1,
            Timeout = TimeSpan.FromSeconds(15),
        };
        return new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    /// <summary>The object's size, or null when there is no such object.</summary>
    /// <exception cref="AmazonServiceException">Storage answered with an error other than "not found".</exception>
    /// <exception cref="HttpRequestException">Storage could not be reached.</exception>
    public async Task<long?> SizeAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var head = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = options.Bucket, Key = key }, cancellationToken);
            return head.ContentLength;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes the object; deleting what is already gone succeeds, so retention can run again safely.</summary>
    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = options.Bucket, Key = key }, cancellationToken);

    /// <summary>A GET link that works without credentials until it expires; signing is local, no call to storage.</summary>
    public (string Url, DateTimeOffset ExpiresAt) DownloadLink(string key, string fileName)
    {
        var now = clock.GetUtcNow();
        var url = signer.Sign(key, $"attachment; filename=\"{fileName}\"", now, options.DownloadLinkLifetime);
        return (url, now + options.DownloadLinkLifetime);
    }

    /// <summary>Where an object lives, for the record (egress reports its own location when it has one).</summary>
    public string LocationOf(string key) => $"{options.Endpoint!.ToString().TrimEnd('/')}/{options.Bucket}/{key}";

    /// <summary>
    /// One cheap listing for /health: at most one key under <c>health/</c>, a prefix nobody writes. It succeeds only
    /// when storage answers, takes our key and has the bucket, and a healthy probe is a 200 (a HEAD of a missing key
    /// was a logged 404 every 30 s). Listing is an object permission (OCI's OBJECT_INSPECT, within the
    /// <c>manage objects</c> policy deploy.md asks for); a bucket-level call such as GetBucketLocation would need a
    /// wider policy than recordings do.
    /// </summary>
    /// <exception cref="AmazonS3Exception">NoSuchBucket (404), or refused credentials (403).</exception>
    /// <exception cref="HttpRequestException">Storage could not be reached.</exception>
    public Task ProbeAsync(CancellationToken cancellationToken) =>
        client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = options.Bucket, Prefix = "health/", MaxKeys = 1 }, cancellationToken);

    public void Dispose() => client.Dispose();
}
