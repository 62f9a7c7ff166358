using Conference.Tests.Infrastructure;

namespace Conference.Tests.Emulator;

/// <summary>
/// The emulator's test classes share one emulator and one Chromium and run one after another, so a 2-core CI machine
/// never relays several calls into several browsers at once. Every test uses rooms of its own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class EmulatorCollection : ICollectionFixture<LiveKitEmulator>, ICollectionFixture<CallBrowser>
{
    public const string Name = "LiveKit emulator";
}
