using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conference.Web.Components.Call;

/// <summary>
/// The JSON contracts of what crosses the call module's interop (Client/src/call.ts), generated at build time and
/// shared by every circuit. Blazor gives each circuit's JS runtime its own <see cref="JsonSerializerOptions"/>, and
/// System.Text.Json builds its reflection metadata per options instance: every call page compiled its own ~125
/// property accessors (DynamicMethods) for these records. The interop methods therefore take and return
/// <see cref="JsonElement"/> (which Blazor's options read and write as is) and convert with this context; the JSON
/// is the same as Blazor's: camelCase names, read case-insensitively, enums as their converters say.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(RoomSnapshot))]
[JsonSerializable(typeof(IReadOnlyList<ParticipantState>))]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(Reaction))]
[JsonSerializable(typeof(ConnectResult))]
[JsonSerializable(typeof(ConnectOptions))]
[JsonSerializable(typeof(Devices))]
[JsonSerializable(typeof(PreviewResult))]
sealed partial class CallJson : JsonSerializerContext
{
    /// <summary>Reads <paramref name="element"/> as <typeparamref name="T"/>; a payload that is JSON <c>null</c> is a <see cref="JsonException"/>, as a missing one would be in Blazor.</summary>
    public static T Read<T>(JsonElement element) where T : class =>
        element.Deserialize((System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)Default.GetTypeInfo(typeof(T))!)
        ?? throw new JsonException($"The call module sent null for a {typeof(T).Name}.");
}

/// <summary>What the call module's <c>connect</c> is asked to publish (Client/src/call.ts, ConnectOptions).</summary>
sealed record ConnectOptions(bool Microphone, bool Camera, string? MicrophoneDeviceId, string? CameraDeviceId, bool E2ee);
