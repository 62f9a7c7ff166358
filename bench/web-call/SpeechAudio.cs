namespace Conference.WebCallBench;

/// <summary>
/// The fake microphone's sound (Chromium's <c>--use-file-for-fake-audio-capture</c>, played in a loop): a 0.6 s burst
/// of voice-like sound (a 140 Hz harmonic series in three syllables) then 3.4 s of silence, every 4 s. The emulator
/// decides who speaks every 2 s from the audio level of what it received (as LiveKit from the RFC 6464 header), so
/// each person starts and stops speaking about every 2 s, and the people of a call (joined at different moments, so
/// out of step) change who is speaking several times a second between them.
/// </summary>
static class SpeechAudio
{
    const int SampleRate = 48_000;

    public static string Write(string path)
    {
        var samples = new short[SampleRate * 4];
        for (var i = 0; i < SampleRate * 6 / 10; i++)
        {
            var t = (double)i / SampleRate;
            var syllable = Math.Sin(Math.PI * (t % 0.2) / 0.2); // three 0.2 s syllables
            var f0 = 140 * (1 + 0.03 * Math.Sin(2 * Math.PI * 5 * t));
            var voice = 0.0;
            for (var k = 1; k <= 6; k++)
            {
                voice += Math.Sin(2 * Math.PI * f0 * k * t) / k;
            }
            samples[i] = (short)(voice / 2.45 * syllable * 0.5 * short.MaxValue);
        }
        using var file = new BinaryWriter(File.Create(path));
        // RIFF/WAVE, PCM, mono, 16-bit.
        file.Write("RIFF"u8);
        file.Write(36 + samples.Length * 2);
        file.Write("WAVEfmt "u8);
        file.Write(16);
        file.Write((short)1);
        file.Write((short)1);
        file.Write(SampleRate);
        file.Write(SampleRate * 2);
        file.Write((short)2);
        file.Write((short)16);
        file.Write("data"u8);
        file.Write(samples.Length * 2);
        foreach (var sample in samples)
        {
            file.Write(sample);
        }
        return path;
    }
}
