using Conference.Web.Accounts;
using Conference.Web.Meetings;

namespace Conference.Tests.Web;

public sealed class MeetingCodeTests
{
    [Theory]
    [InlineData("abc-defg-hij", "abc-defg-hij")]
    [InlineData("  ABC-DEFG-HIJ ", "abc-defg-hij")]
    [InlineData("abcdefghij", "abc-defg-hij")]
    [InlineData("abc defg hij", "abc-defg-hij")]
    [InlineData("https://meet.example.org/m/abc-defg-hij", "abc-defg-hij")]
    [InlineData("http://localhost:5000/m/abc-defg-hij/recordings?x=1#key", "abc-defg-hij")]
    [InlineData("HTTP://LOCALHOST:46315/M/ABC-DEFG-HIJ", "abc-defg-hij")] // a newcomer's paste: the browser takes it
    [InlineData("localhost:46315/m/abc-defg-hij", "abc-defg-hij")]
    [InlineData("meet.example.org/m/abcdefghij?pwd=1", "abc-defg-hij")]
    public void People_may_type_or_paste_a_code_in_any_of_the_usual_ways(string input, string slug)
    {
        Assert.True(MeetingCode.TryParse(input, out var parsed));
        Assert.Equal(slug, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc-defg")]
    [InlineData("abc-defg-hij-klm")]
    [InlineData("abc-d3fg-hij")]
    [InlineData("https://meet.example.org/rooms/abc-defg-hij")]
    [InlineData("meet.example.org/m/")]
    [InlineData("https://meet.example.org/m/abc-defg-hij-klm")]
    [InlineData("javascript:alert(1)")]
    [InlineData("<script>")]
    public void Anything_else_is_not_a_code(string? input) => Assert.False(MeetingCode.TryParse(input, out _));

    [Theory]
    [InlineData(null, "/")]
    [InlineData("/recordings", "/recordings")]
    [InlineData("/m/abc-defg-hij?x=1", "/m/abc-defg-hij?x=1")]
    [InlineData("https://evil.example", "/")]
    [InlineData("//evil.example/x", "/")]
    [InlineData("/\\evil.example", "/")]
    public void After_sign_in_only_paths_on_this_site_are_followed(string? returnUrl, string expected) =>
        Assert.Equal(expected, AccountEndpoints.LocalPath(returnUrl));
}
