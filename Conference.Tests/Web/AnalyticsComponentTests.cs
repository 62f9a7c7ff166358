using Bunit;
using Conference.Web.Analytics;
using Conference.Web.Components.Analytics;

namespace Conference.Tests.Web;

public sealed class AnalyticsComponentTests : WebComponentTest
{
    // Its page is interactive in the app (its form is off until then: Shared/UntilInteractive).
    public AnalyticsComponentTests() => RenderInteractively();

    [Fact]
    public void Bars_are_as_tall_as_their_values_on_a_readable_scale()
    {
        var chart = Render<BarChart>(parameters => parameters
            .Add(p => p.Title, "Meetings per day")
            .Add(p => p.Unit, "meetings")
            .Add(p => p.Points, [new ChartPoint("1 Nov", 2), new ChartPoint("2 Nov", 0), new ChartPoint("3 Nov", 4)]));

        var bars = chart.FindAll("rect.chart-bar");
        Assert.Equal(3, bars.Count);
        var heights = bars.Select(b => double.Parse(b.GetAttribute("height")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(0, heights[1]);
        Assert.Equal(heights[2], heights[0] * 2, 3);
        Assert.Equal("3 Nov: 4 meetings", bars[2].QuerySelector("title")!.TextContent);
        Assert.Equal("img", chart.Find("svg").GetAttribute("role"));
        Assert.Equal(chart.Find("figcaption").Id, chart.Find("svg").GetAttribute("aria-labelledby"));
        Assert.Equal(3, chart.FindAll(".chart-data tbody tr").Count);
    }

    [Fact]
    public void Counting_people_the_scale_has_whole_steps()
    {
        var chart = Render<BarChart>(parameters => parameters
            .Add(p => p.Title, "Peak participants per day")
            .Add(p => p.Points, [new ChartPoint("1 Nov", 1), new ChartPoint("2 Nov", 3)]));

        Assert.Equal(["0", "1", "2", "3", "4"], chart.FindAll("text.chart-axis").Select(t => t.TextContent).Where(t => !t.Contains("Nov")).ToList());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 5)]
    [InlineData(7, 10)]
    [InlineData(12, 20)]
    [InlineData(230, 250)]
    [InlineData(1000, 1000)]
    public void The_scale_tops_out_at_a_round_number(double max, double scale) => Assert.Equal(scale, BarChart.NiceCeiling(max));

    [Fact]
    public void Usage_shows_totals_and_three_charts_for_the_hosts_meetings()
    {
        var to = DateOnly.FromDateTime(DateTime.UtcNow);
        var from = to.AddDays(-29);
        Api.On("GET", "/api/analytics/usage", Enumerable.Range(0, 30).Select(i => new
        {
            day = from.AddDays(i), meetings = i % 3, participants = i % 3 * 4, participantMinutes = i % 3 * 60.5, peakConcurrency = i % 7,
        }).ToArray());

        var page = Render<UsagePage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("figure.chart").Count));
        Assert.Equal($"/api/analytics/usage?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&scope=mine", Assert.Single(Api.Requests).PathAndQuery);
        var totals = page.FindAll(".stat-value").Select(v => v.TextContent).ToList();
        Assert.Equal(["30", "120", "1815", "6"], totals);
        Assert.Empty(page.FindAll("#everyone")); // only the admin sees every host's meetings
    }

    [Fact]
    public void The_admin_can_look_at_every_hosts_meetings()
    {
        SignIn(admin: true);
        Api.On("GET", "/api/analytics/usage", Array.Empty<object>());
        var page = Render<UsagePage>();
        page.WaitForAssertion(() => Assert.Single(Api.Requests));

        page.Find("#everyone").Change(true);

        page.WaitForAssertion(() => Assert.EndsWith("&scope=all", Api.Requests.Last().PathAndQuery));
    }

    [Fact]
    public void A_meetings_details_show_its_figures()
    {
        Api.On("GET", "/api/meetings/abc-defg-hij/analytics", new
        {
            slug = "abc-defg-hij", participants = 5, peakConcurrency = 4, participantMinutes = 151.6, durationMinutes = 62.5,
            startedAt = DateTimeOffset.Parse("2026-11-26T10:00:00Z"), endedAt = DateTimeOffset.Parse("2026-11-26T11:02:30Z"),
        });

        var page = Render<MeetingUsagePage>(parameters => parameters.Add(p => p.Slug, "abc-defg-hij"));

        page.WaitForAssertion(() => Assert.Equal(["5", "4", "152", "1 h 2 min"], page.FindAll(".stat-value").Select(v => v.TextContent).ToList()));
        Assert.Contains("26 Nov 2026, 10:00 UTC", page.Markup);
    }
}
