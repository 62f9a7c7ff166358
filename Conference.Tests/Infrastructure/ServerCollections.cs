namespace Conference.Tests.Infrastructure;

// Test classes that name one of these collections share one server for the whole run (and so run one
// after another). A class that wants its own server takes it as an IClassFixture instead.

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "Postgres";
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "Redis";
}

[CollectionDefinition(Name)]
public sealed class S3rverCollection : ICollectionFixture<S3rverServer>
{
    public const string Name = "S3rver";
}
