using System.Text.RegularExpressions;
using Conference.Contracts;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Web;

/// <summary>The call's browser module checks chat length itself (it drops what others send past it): it must say what TextLimits says.</summary>
public sealed partial class ChatLimitTests
{
    [Fact]
    public void The_browser_module_and_the_web_agree_on_the_longest_chat_message()
    {
        var module = File.ReadAllText(Path.Combine(LocalMachine.RepositoryRoot, "Conference.Web", "Client", "src", "messages.ts"));

        var declared = MaxChatLength().Match(module);

        Assert.True(declared.Success, "messages.ts no longer declares maxChatLength");
        Assert.Equal(TextLimits.ChatMessage, int.Parse(declared.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"export const maxChatLength = (\d+);")]
    private static partial Regex MaxChatLength();
}
