namespace Conference.Web.Analytics;

/// <summary>One bar: what it is called under the axis, and how tall it is.</summary>
public sealed record ChartPoint(string Label, double Value);
