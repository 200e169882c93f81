using Chiyoda.Civic.Abstractions.Audit;
using Chiyoda.Civic.Abstractions.PaperBallots;
using Chiyoda.Civic.Abstractions.Tally;

namespace Chiyoda.Civic.Tests.PaperBallots;

/// <summary>Batches set up the way clerks do it: facility listed, batch opened, keyed by two clerks, committed.</summary>
public static class PaperBatches
{
    public const string Facility = "F01";

    public static PaperLine Line(int n, string serial, string castDate, string voterKey, string choices, bool unreadable = false) =>
        new(n, serial, Facility, castDate, voterKey, choices, unreadable);

    public static async Task ListFacilityAsync(IGrainFactory grains, string roundId) =>
        await grains.GetGrain<IPaperRoundGrain>(roundId).SetFacilitiesAsync([new PaperFacility(Facility, "区役所 1階"), new PaperFacility("F02", "神田公園出張所")]);

    public static IPaperBatchGrain Batch(IGrainFactory grains, string roundId, string batchId) => grains.GetGrain<IPaperBatchGrain>($"{roundId}:{batchId}");

    public static async Task<IPaperBatchGrain> OpenAsync(IGrainFactory grains, string roundId, string batchId, int ballotsInBox, DateOnly sessionDate)
    {
        var batch = Batch(grains, roundId, batchId);
        var opened = await batch.OpenAsync(new PaperBatchOpening(Facility, sessionDate, ballotsInBox, "clerk-a", "事務 A"));
        Assert.True(opened.Succeeded, opened.Code);
        return batch;
    }

    /// <summary>Two clerks key the same lines; the batch then agrees.</summary>
    public static async Task DoubleKeyAsync(IPaperBatchGrain batch, IReadOnlyList<PaperLine> lines)
    {
        var first = await batch.AddKeyingAsync(new PaperKeying("clerk-a", "事務 A", PaperKeyingSources.Typed, lines));
        Assert.True(first.Succeeded, first.Code);
        var second = await batch.AddKeyingAsync(new PaperKeying("clerk-b", "事務 B", PaperKeyingSources.File, lines));
        Assert.True(second.Succeeded, second.Code);
        Assert.Equal(PaperBatchStatuses.Agreed, second.Value!.Summary.Status);
    }

    /// <summary>Waits on the batch itself (no sleeping) until its commit has finished or stopped.</summary>
    public static async Task<PaperBatchView> WaitAsync(IPaperBatchGrain batch)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var view = (await batch.WaitForCommitAsync(TimeSpan.FromSeconds(20)))!;
            if (view.Summary.Status == PaperBatchStatuses.Committed || view.Commit?.LastError is not null)
            {
                return view;
            }
        }

        throw new TimeoutException("The commit neither finished nor stopped.");
    }

    public static async Task<PaperBatchView> CommitAsync(IPaperBatchGrain batch, string? forcedReason = null)
    {
        var started = await batch.CommitAsync("admin", "管理者", forcedReason);
        Assert.True(started.Succeeded, started.Code);
        var view = await WaitAsync(batch);
        Assert.Equal(PaperBatchStatuses.Committed, view.Summary.Status);
        return view;
    }

    public static async Task<Dictionary<string, PaperLineReport>> OutcomesBySerialAndLineAsync(IPaperBatchGrain batch)
    {
        var page = await batch.GetLinesAsync(0, 10_000);
        return page.Lines.ToDictionary(l => $"{l.Serial}@{l.Line}");
    }

    public static Task<TallyTotals> LiveTotalsAsync(IGrainFactory grains, string roundId) => Ballots.VotingRounds.LiveTotalsAsync(grains, roundId);

    public static Task<AuditPage> AuditAsync(IGrainFactory grains, string roundId, string action) =>
        new GrainAuditLog(grains).ListAsync(roundId, 0, 500, action);
}
