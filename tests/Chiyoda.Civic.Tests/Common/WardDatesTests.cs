using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Tests.Common;

/// <summary>Dates as the ward writes them: ISO and the Japanese eras, every era boundary, full-width input, impossible dates.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class WardDatesTests
{
    [Theory]
    [InlineData("2024-08-05", "2024-08-05")]
    [InlineData("２０２４－０８－０５", "2024-08-05")]
    [InlineData("2024/8/5", "2024-08-05")]
    [InlineData("2024年8月5日", "2024-08-05")]
    [InlineData("令和6年8月5日", "2024-08-05")]
    [InlineData("令和６年８月５日", "2024-08-05")]
    [InlineData("R6.8.5", "2024-08-05")]
    [InlineData("R06.08.05", "2024-08-05")]
    [InlineData("r6/8/5", "2024-08-05")]
    [InlineData("Ｒ６．８．５", "2024-08-05")]
    [InlineData(" R6-8-5 ", "2024-08-05")]
    [InlineData("H30.8.5", "2018-08-05")]
    [InlineData("H30/8/5", "2018-08-05")]
    [InlineData("平成30年8月5日", "2018-08-05")]
    [InlineData("S45.1.2", "1970-01-02")]
    [InlineData("昭和45年1月2日", "1970-01-02")]
    [InlineData("T1.7.30", "1912-07-30")]
    [InlineData("大正15年12月24日", "1926-12-24")]
    [InlineData("M45.7.29", "1912-07-29")]
    // Era boundaries: the last day of one era and the first of the next, with 元年 for a first year.
    [InlineData("昭和64年1月7日", "1989-01-07")]
    [InlineData("平成元年1月8日", "1989-01-08")]
    [InlineData("H1.1.8", "1989-01-08")]
    [InlineData("平成31年4月30日", "2019-04-30")]
    [InlineData("令和元年5月1日", "2019-05-01")]
    [InlineData("R1.5.1", "2019-05-01")]
    [InlineData("昭和元年12月25日", "1926-12-25")]
    [InlineData("大正元年7月30日", "1912-07-30")]
    [InlineData("平成12年2月29日", "2000-02-29")]
    public void Reads_iso_and_era_dates(string text, string iso) =>
        Assert.Equal(DateOnly.ParseExact(iso, "yyyy-MM-dd"), WardDates.Parse(text));

    [Theory]
    [InlineData("平成32年1月1日")]    // Heisei ended in its 31st year
    [InlineData("平成31年5月1日")]    // the first day of Reiwa, not Heisei
    [InlineData("H31.5.1")]
    [InlineData("令和元年4月1日")]    // before Reiwa began
    [InlineData("R1.4.30")]
    [InlineData("昭和64年1月8日")]    // the first day of Heisei
    [InlineData("平成元年1月7日")]    // the last day of Showa
    [InlineData("大正15年12月25日")]
    [InlineData("昭和元年12月24日")]
    [InlineData("令和0年1月1日")]
    [InlineData("令和5年2月29日")]    // 2023 is a common year
    [InlineData("R6.13.1")]
    [InlineData("X6.8.5")]
    [InlineData("2024-02-30")]
    [InlineData("yesterday")]
    [InlineData("")]
    public void Refuses_dates_that_do_not_exist(string text) => Assert.Null(WardDates.Parse(text));

    [Theory]
    [InlineData("2024-08-05", "令和6年8月5日")]
    [InlineData("2019-05-01", "令和元年5月1日")]
    [InlineData("2019-04-30", "平成31年4月30日")]
    [InlineData("1989-01-07", "昭和64年1月7日")]
    public void Writes_the_era_form_and_reads_it_back(string iso, string era)
    {
        var date = DateOnly.ParseExact(iso, "yyyy-MM-dd");
        Assert.Equal(era, WardDates.ToEra(date));
        Assert.Equal(date, WardDates.Parse(era));
    }

    [Fact]
    public void Every_day_from_meiji_to_now_round_trips_through_its_era_form()
    {
        for (var day = new DateOnly(1868, 1, 25); day <= new DateOnly(2040, 12, 31); day = day.AddDays(1))
        {
            Assert.Equal(day, WardDates.Parse(WardDates.ToEra(day)));
        }
    }
}
