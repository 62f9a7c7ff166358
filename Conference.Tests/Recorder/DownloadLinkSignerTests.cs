using System.Globalization;
using System.Web;
using Amazon.S3;
using Amazon.S3.Model;
using Conference.Recorder.Storage;

namespace Conference.Tests.Recorder;

/// <summary>
/// s3rver does not check signatures, so our presigned links are proven against the AWS SDK's: same time, same
/// request, the same URL and signature byte for byte (Oracle and MinIO accept what the SDK signs).
/// </summary>
public sealed class DownloadLinkSignerTests
{
    [Theory]
    [InlineData("https://axaxnpcrorw5.compat.objectstorage.eu-frankfurt-1.oraclecloud.com", "eu-frankfurt-1", "recordings")]
    [InlineData("http://127.0.0.1:9000", "us-east-1", "conference-tests")]
    public void Our_links_are_the_links_the_AWS_SDK_signs(string endpoint, string region, string bucket)
    {
        var options = new ObjectStorageOptions
        {
            Endpoint = new Uri(endpoint),
            Region = region,
            Bucket = bucket,
            AccessKey = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
            SecretKey = "Zm9vYmFyYmF6cXV4+/c2VjcmV0c2VjcmV0c2VjcmV0=",
        };
        var key = "recordings/abc-defg-hij/20261127T083145123Z.mp4";
        var disposition = "attachment; filename=\"abc-defg-hij-20261127-0831.mp4\"";
        using var sdk = RecordingStorage.CreateClient(options);
        var expected = new Uri(sdk.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow.AddMinutes(15),
            Protocol = options.Endpoint.Scheme == "http" ? Protocol.HTTP : Protocol.HTTPS,
            ResponseHeaderOverrides = { ContentDisposition = disposition },
        }));
        var expectedQuery = HttpUtility.ParseQueryString(expected.Query);
        var signedAt = DateTimeOffset.ParseExact(expectedQuery["X-Amz-Date"]!, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var lifetime = TimeSpan.FromSeconds(int.Parse(expectedQuery["X-Amz-Expires"]!, CultureInfo.InvariantCulture));

        var ours = new Uri(new DownloadLinkSigner(options).Sign(key, disposition, signedAt, lifetime));

        Assert.Equal(expected.GetLeftPart(UriPartial.Path), ours.GetLeftPart(UriPartial.Path));
        var ourQuery = HttpUtility.ParseQueryString(ours.Query);
        Assert.Equal(expectedQuery.AllKeys.Order(), ourQuery.AllKeys.Order());
        foreach (var name in expectedQuery.AllKeys)
        {
            Assert.Equal(expectedQuery[name], ourQuery[name]);
        }
        Assert.Equal(64, ourQuery["X-Amz-Signature"]!.Length);
    }
}
