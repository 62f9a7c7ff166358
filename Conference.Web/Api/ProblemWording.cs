using System.Text.RegularExpressions;

namespace Conference.Web.Api;

/// <summary>
/// Puts an api validation problem in the words of the web's forms. The api names fields by their JSON keys
/// ("The displayName must be at most 64 characters.", RFC 7807 <c>errors</c> keyed by field) and ASP.NET Core titles
/// every validation problem "One or more validation errors occurred."; people see "Your name must be at most 64
/// characters." under a "Please check what you entered" heading. The keys stay as the api sent them: forms find
/// their field's message by key.
/// </summary>
public static partial class ProblemWording
{
    /// <summary>The title ASP.NET Core gives every validation problem (HttpValidationProblemDetails).</summary>
    public const string ValidationTitle = "One or more validation errors occurred.";

    /// <summary>What people read instead of <see cref="ValidationTitle"/>.</summary>
    public const string PeopleTitle = "Please check what you entered";

    /// <summary>Fields whose label on the web's forms is not simply their key in words (as the label reads at the start of a sentence).</summary>
    static readonly Dictionary<string, string> Labels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["displayName"] = "Your name",
        ["email"] = "The email address",
        ["setupCode"] = "The setup code",
        ["currentPassword"] = "Your current password",
        ["newPassword"] = "The new password",
        ["settings.maxParticipants"] = "The number of people",
        ["settings.expiresAt"] = "The expiry",
        ["durationMinutes"] = "The duration",
        ["recursUntil"] = "The end date",
        ["timeZone"] = "The time zone",
        ["recordingRetentionDays"] = "The number of days recordings are kept",
    };

    /// <summary>The label of <paramref name="field"/> at the start of a sentence: its known label, else its last segment in words ("invitees[0].name" → "The name").</summary>
    public static string LabelOf(string field)
    {
        if (Labels.TryGetValue(field, out var label))
        {
            return label;
        }
        var last = field[(field.LastIndexOf('.') + 1)..];
        last = Index().Replace(last, "");
        return "The " + CamelHump().Replace(last, " $1").ToLowerInvariant();
    }

    /// <summary>A field's message with the field's key replaced by its label ("The displayName must…" → "Your name must…").</summary>
    public static string Message(string field, string message)
    {
        var prefix = "The " + field;
        if (message.StartsWith(prefix + " ", StringComparison.Ordinal))
        {
            return LabelOf(field) + message[prefix.Length..];
        }
        if (message.StartsWith(field + " ", StringComparison.Ordinal))
        {
            return LabelOf(field) + message[field.Length..];
        }
        return message;
    }

    /// <summary>Every field's messages in people's words, under the same keys.</summary>
    public static Dictionary<string, string[]> Errors(IReadOnlyDictionary<string, string[]> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value.Select(m => Message(e.Key, m)).ToArray());

    /// <summary>The problem's title for people: ASP.NET Core's generic validation title becomes <see cref="PeopleTitle"/>.</summary>
    public static string Title(string title) => title == ValidationTitle ? PeopleTitle : title;

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex Index();

    [GeneratedRegex(@"(?<=[a-z])([A-Z])")]
    private static partial Regex CamelHump();
}
