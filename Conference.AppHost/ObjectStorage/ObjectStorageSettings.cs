namespace Conference.AppHost.ObjectStorage;

/// <summary>
/// An S3-compatible bucket: MinIO in development, Oracle Object Storage
/// (<c>https://NAMESPACE.compat.objectstorage.REGION.oraclecloud.com</c>, path style) in production.
/// </summary>
public sealed record ObjectStorageSettings(
    ReferenceExpression Endpoint,
    ParameterResource Region,
    ParameterResource Bucket,
    ParameterResource AccessKey,
    ParameterResource SecretKey)
{
    /// <summary>What the recorder reads as <c>ConnectionStrings:storage</c>.</summary>
    public ReferenceExpression ConnectionString => ReferenceExpression.Create(
        $"Endpoint={Endpoint};Region={Region};Bucket={Bucket};AccessKey={AccessKey};SecretKey={SecretKey}");
}
