namespace Conference.Api.Accounts;

/// <summary>
/// One sign-in's chain of refresh tokens (OAuth 2.0 Security BCP, RFC 9700 §4.14.2: rotation with reuse detection).
/// Each refresh hands out a new token and makes the previous one worthless; presenting a worthless one means the
/// chain was copied, so the whole family is revoked. Sign-out revokes the family, and with it the access tokens
/// that carry its id.
/// </summary>
public sealed class RefreshTokenFamily
{
    public Guid Id { get; set; }

    public string UserId { get; set; } = "";

    /// <summary>The only token of the family that may still be traded in.</summary>
    public Guid CurrentTokenId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastUsedAt { get; set; }

    /// <summary>Set by sign-out, "sign out everywhere", a password change, disabling the account, or a reused token.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
}
