using System.Text.Json.Nodes;
using Conference.Tests.Infrastructure;
using Conference.Tests.LiveKit;

namespace Conference.Tests.Emulator;

/// <summary>LiveKit's own Node server SDK (tools/node) talking to the emulator: the judge of its API and webhooks.</summary>
static class EmulatorSdk
{
    /// <summary>Calls a RoomServiceClient method; returns <c>{ ok, result }</c> or <c>{ ok: false, status, code, message }</c>.</summary>
    /// <summary>The result of a call the server SDK reported as succeeded; fails the test with the SDK's answer otherwise.</summary>
    public static JsonNode Ok(JsonNode response)
    {
        Assert.True(response["ok"]!.GetValue<bool>(), response.ToJsonString());
        return response["result"] ?? new JsonObject();
    }

    public static Task<JsonNode> RoomServiceAsync(LiveKitEmulator emulator, string method, params object?[] args) =>
        CallAsync(emulator, "room", method, args);

    public static Task<JsonNode> EgressAsync(LiveKitEmulator emulator, string method, params object?[] args) =>
        CallAsync(emulator, "egress", method, args);

    public static Task<JsonNode> CallAsync(LiveKitEmulator emulator, string client, string method, object?[] args, string? secret = null) =>
        NodeSdk.RunAsync("../../Emulator/node/room-service.mjs",
            new { url = emulator.HttpUrl.ToString(), key = emulator.ApiKey, secret = secret ?? emulator.ApiSecret, client, method, args });

    /// <summary>Has the SDK's WebhookReceiver check each webhook; returns what it accepted or its error, in order.</summary>
    public static async Task<JsonArray> VerifyWebhooksAsync(LiveKitEmulator emulator, IEnumerable<ReceivedWebhook> hooks) =>
        (JsonArray)await NodeSdk.RunAsync("../../Emulator/node/webhook.mjs", new
        {
            key = emulator.ApiKey,
            secret = emulator.ApiSecret,
            hooks = hooks.Select(h => new { body = h.Body, auth = h.Authorization }).ToArray(),
        });
}
