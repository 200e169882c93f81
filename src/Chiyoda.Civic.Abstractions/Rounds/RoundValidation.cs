using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.Common;

namespace Chiyoda.Civic.Abstractions.Rounds;

/// <summary>
/// The one place round input is checked; the grain applies it before storing, and screens and the
/// API use it to say what is wrong field by field.
/// </summary>
public static partial class RoundValidation
{
    public const int NameMaxLength = 200;

    /// <summary>Lower-case letters, digits and hyphens: safe in URLs and in storage keys (no ':' or '/').</summary>
    public static bool IsValidRoundId(string? roundId) => roundId is not null && RoundIdPattern().IsMatch(roundId);

    public static IReadOnlyList<ValidationError> Validate(RoundDefinition? definition)
    {
        if (definition is null)
        {
            return [new("round", RoundErrorCodes.Required, "The round definition is missing.")];
        }

        var errors = new List<ValidationError>();
        CheckName(errors, "name", definition.Name, required: true);
        CheckName(errors, "nameEn", definition.NameEn, required: false);

        if (definition.Schedule is not { } s)
        {
            errors.Add(new("schedule", RoundErrorCodes.Required, "The schedule is missing."));
        }
        else
        {
            CheckOrder(errors, "schedule.callCloses", s.CallOpens, s.CallCloses, strictly: true, "The call for proposals must close after it opens.");
            CheckOrder(errors, "schedule.votingOpens", s.CallCloses, s.VotingOpens, strictly: false, "Voting must open on or after the close of the call for proposals.");
            CheckOrder(errors, "schedule.votingCloses", s.VotingOpens, s.VotingCloses, strictly: true, "Voting must close after it opens.");
            CheckOrder(errors, "schedule.resultsDue", s.VotingCloses, s.ResultsDue, strictly: false, "Results are due on or after the close of voting.");
        }

        if (definition.Rules is not { } r)
        {
            errors.Add(new("rules", RoundErrorCodes.Required, "The rules are missing."));
        }
        else
        {
            CheckRange(errors, "rules.maxVotesPerVoter", r.MaxVotesPerVoter, 1, 20);
            CheckRange(errors, "rules.minimumAge", r.MinimumAge, 0, 120);
            CheckRange(errors, "rules.maxProposalsPerProposer", r.MaxProposalsPerProposer, 1, 100);
            CheckRange(errors, "rules.adoptedCount", r.AdoptedCount, 1, ShortlistValidation.MaxEntries);
        }

        return errors;
    }

    private static void CheckName(List<ValidationError> errors, string field, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(new(field, RoundErrorCodes.Required, "A name is required."));
            }
        }
        else if (value.Length > NameMaxLength)
        {
            errors.Add(new(field, RoundErrorCodes.TooLong, $"The name may be at most {NameMaxLength} characters."));
        }
    }

    private static void CheckOrder(List<ValidationError> errors, string field, DateTimeOffset earlier, DateTimeOffset later, bool strictly, string message)
    {
        if (strictly ? later <= earlier : later < earlier)
        {
            errors.Add(new(field, RoundErrorCodes.DatesOutOfOrder, message));
        }
    }

    private static void CheckRange(List<ValidationError> errors, string field, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add(new(field, RoundErrorCodes.OutOfRange, $"Must be between {min} and {max}; got {value}."));
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoundIdPattern();
}
