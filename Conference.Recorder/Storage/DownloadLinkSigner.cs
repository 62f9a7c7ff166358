using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Conference.Recorder.Storage;

/// <summary>
/// Presigned GET links (AWS Signature Version 4 in the query string, path style), computed here rather than by the
/// AWS SDK: the SDK's <c>GetPreSignedURL</c> runs its whole request pipeline and allocated ~70 KB per link, while a
/// link is one SHA-256 and one HMAC with the day's signing key. A test checks every byte against the SDK's own link.
/// </summary>
public sealed class DownloadLinkSigner(ObjectStorageOptions options)
{
    const string Algorithm = "AWS4-HMAC-SHA256";
    const string Service = "s3";

    readonly string origin = options.Endpoint!.GetLeftPart(UriPartial.Authority);
    readonly string host = options.Endpoint!.IsDefaultPort ? options.Endpoint.Host : $"{options.Endpoint.Host}:{options.Endpoint.Port}";
    readonly string bucketPath = "/" + Uri.EscapeDataString(options.Bucket);

    /// <summary>The signing key depends only on the day (and the fixed secret, region, service): derived once a day.</summary>
    (string Day, byte[] Key)? signingKey;

    public string Sign(string key, string? contentDisposition, DateTimeOffset now, TimeSpan lifetime)
    {
        var utc = now.UtcDateTime;
        var day = utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var amzDate = utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{day}/{options.Region}/{Service}/aws4_request";
        var path = bucketPath + "/" + string.Join('/', key.Split('/').Select(Uri.EscapeDataString));

        // Query parameters in byte order of their names: the X-Amz-* (upper case) before response-* (lower case).
        var query = new StringBuilder(512)
            .Append("X-Amz-Algorithm=").Append(Algorithm)
            .Append("&X-Amz-Credential=").Append(Uri.EscapeDataString($"{options.AccessKey}/{scope}"))
            .Append("&X-Amz-Date=").Append(amzDate)
            .Append("&X-Amz-Expires=").Append(((long)lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture))
            .Append("&X-Amz-SignedHeaders=host");
        if (contentDisposition is not null)
        {
            query.Append("&response-content-disposition=").Append(Uri.EscapeDataString(contentDisposition));
        }
        var canonicalQuery = query.ToString();

        var canonicalRequest = $"GET\n{path}\n{canonicalQuery}\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(SigningKey(day), Encoding.UTF8.GetBytes(stringToSign)));
        return $"{origin}{path}?{canonicalQuery}&X-Amz-Signature={signature}";
    }

    byte[] SigningKey(string day)
    {
        if (signingKey is { } cached && cached.Day == day)
        {
            return cached.Key;
        }
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + options.SecretKey), day);
        key = Hmac(key, options.Region);
        key = Hmac(key, Service);
        key = Hmac(key, "aws4_request");
        signingKey = (day, key);
        return key;
    }

    static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
