using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Chiyoda.Civic.Abstractions.Ballots;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Tests.Ballots;
using static Chiyoda.Civic.Tests.PaperBallots.PaperBatches;

namespace Chiyoda.Civic.Tests.PaperBallots;

/// <summary>
/// The platform's metrics (meter Chiyoda.Civic, docs/operations.md) as an OpenTelemetry exporter would collect them:
/// a MeterListener in this process, where the test cluster's silos run, sees a ballot stored and its duration, and
/// the lines a paper batch commit applies. Other tests run at the same time, so counts are at least what this test did.
/// </summary>
[Collection(PaperClusterCollection.Name)]
public sealed class CivicMetricsTests(PaperClusterFixture fixture)
{
    [Fact]
    public async Task Ballots_stored_their_duration_and_paper_lines_committed_are_measured()
    {
        var sums = new ConcurrentDictionary<string, double>();
        var counts = new ConcurrentDictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Chiyoda.Civic")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = instrument.Name + string.Concat(tags.ToArray().Where(t => t.Key is "channel" or "outcome").Select(t => $"|{t.Key}={t.Value}"));
            sums.AddOrUpdate(key, value, (_, s) => s + value);
            counts.AddOrUpdate(key, 1, (_, c) => c + 1);
        }

        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();

        var today = WardClock.Today(fixture.Clock);
        var roundId = await VotingRounds.OpenAsync(fixture.Grains, fixture.Clock.GetUtcNow());
        await VotingRounds.RegisterAsync(fixture.Grains, roundId, [.. new[] { "m-online", "m-paper-1", "m-paper-2" }.Select(a => VotingRounds.Adult(a, today))]);
        await ListFacilityAsync(fixture.Grains, roundId);

        var online = await fixture.Grains.GetGrain<IBallotGrain>($"{roundId}:m-online").CastOnlineAsync(new OnlineBallot("k1", [1, 2]));
        Assert.True(online.Accepted, online.Code);
        var day = today.ToString("yyyy-MM-dd");
        PaperLine[] lines = [Line(2, "M001", day, "m-paper-1", "1"), Line(3, "M002", day, "m-paper-2", "2;3")];
        var batch = await OpenAsync(fixture.Grains, roundId, "b-metrics", lines.Length, today);
        await DoubleKeyAsync(batch, lines);
        await CommitAsync(batch);

        listener.RecordObservableInstruments();
        Assert.True(sums.GetValueOrDefault("civic.ballots.stored|channel=online") >= 1, Describe(sums));
        Assert.True(sums.GetValueOrDefault("civic.ballots.stored|channel=paper") >= 2, Describe(sums));
        Assert.True(counts.GetValueOrDefault("civic.ballot.duration|outcome=accepted") >= 1, Describe(sums));
        Assert.True(sums.GetValueOrDefault("civic.ballot.duration|outcome=accepted") > 0, Describe(sums));
        Assert.True(sums.GetValueOrDefault("civic.paper.lines.committed") >= 2, Describe(sums));
    }

    private static string Describe(IDictionary<string, double> sums) => string.Join(", ", sums.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
}
