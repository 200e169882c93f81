using Chiyoda.Civic.Abstractions.Proposals;
using Chiyoda.Civic.Abstractions.Rounds;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Tests.Proposals;

/// <summary>Rounds whose dates sit around a given "now", and proposals shaped like real ones.</summary>
public static class ProposalSamples
{
    public static readonly Actor Admin = new("admin", "管理者", IsAdministrator: true);
    public static readonly Actor Screener = new("screener", "審査担当", IsScreener: true);

    public static Actor Resident(string sub) => new(sub, "区民 " + sub);

    public static RoundDefinition CallOpen(DateTimeOffset now, int maxPerProposer = 3) => new(
        "テスト募集回", "Test round",
        new RoundSchedule(now.AddDays(-10), now.AddDays(10), now.AddDays(20), now.AddDays(40), now.AddDays(60)),
        RoundRules.WardDefaults with { MaxProposalsPerProposer = maxPerProposer });

    public static RoundDefinition InScreening(RoundDefinition round, DateTimeOffset now) =>
        round with { Schedule = round.Schedule with { CallCloses = now.AddMinutes(-1) } };

    public static RoundDefinition InVoting(RoundDefinition round, DateTimeOffset now) =>
        round with { Schedule = round.Schedule with { CallCloses = now.AddDays(-2), VotingOpens = now.AddMinutes(-1) } };

    public static ProposalContent Content(string title = "スクールカレンダーの iCalendar 形式での公開") => new(
        title,
        "学校の行事予定を iCalendar 形式で公開します。",
        "保護者が学校の予定を手で書き写している。",
        "各校の予定を iCalendar で配信する。",
        "保護者の手間が減り、予定の見落としがなくなる。",
        "children-education",
        ProposerRelation.Lives,
        null);

    public static IReadOnlyDictionary<string, int> Scores(int benefit = 5, int feasibility = 4, int cost = 3, int strategy = 2) =>
        new Dictionary<string, int> { ["benefit"] = benefit, ["feasibility"] = feasibility, ["cost"] = cost, ["strategy"] = strategy };
}
