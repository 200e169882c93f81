using System.Text.RegularExpressions;
using Chiyoda.Civic.Abstractions.Common;
using Chiyoda.Civic.Abstractions.Screening;

namespace Chiyoda.Civic.Abstractions.Proposals;

/// <summary>The one place proposal input is checked; the grain applies it, screens and the API show it field by field.</summary>
public static partial class ProposalValidation
{
    public const int TitleMax = 100;
    public const int SummaryMax = 400;
    public const int LongTextMax = 4000;
    public const int EffectMax = 2000;
    public const int OrganisationMax = 100;
    public const int MessageMax = 2000;
    public const int NoteMax = 4000;

    /// <summary>Lower-case letters, digits and hyphens (safe in URLs and in grain keys: no ':').</summary>
    public static bool IsValidProposalId(string? id) => id is not null && ProposalIdPattern().IsMatch(id);

    public static string NewProposalId() => "p-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A draft needs only a title; everything must fit. A submission needs every field.</summary>
    public static IReadOnlyList<ValidationError> Validate(ProposalContent? content, ScreeningSetup setup, bool forSubmission)
    {
        if (content is null)
        {
            return [new("proposal", ProposalErrorCodes.Required, "The proposal is missing.")];
        }

        var errors = new List<ValidationError>();
        Check(errors, "title", content.Title, TitleMax, required: true);
        Check(errors, "titleEn", content.TitleEn, TitleMax, required: false);
        Check(errors, "summary", content.Summary, SummaryMax, forSubmission);
        Check(errors, "summaryEn", content.SummaryEn, SummaryMax, required: false);
        Check(errors, "problem", content.Problem, LongTextMax, forSubmission);
        Check(errors, "solution", content.Solution, LongTextMax, forSubmission);
        Check(errors, "expectedEffect", content.ExpectedEffect, EffectMax, forSubmission);
        if (string.IsNullOrWhiteSpace(content.Category))
        {
            if (forSubmission)
            {
                errors.Add(new("category", ProposalErrorCodes.Required, "Choose a category."));
            }
        }
        else if (setup.Category(content.Category) is null)
        {
            errors.Add(new("category", ProposalErrorCodes.UnknownCategory, "Choose one of the round's categories."));
        }

        if (!Enum.IsDefined(content.Relation))
        {
            errors.Add(new("relation", ProposalErrorCodes.Required, "Say how you relate to the ward."));
        }

        Check(errors, "organisationName", content.OrganisationName, OrganisationMax,
            required: forSubmission && content.Relation == ProposerRelation.Organisation);
        return errors;
    }

    public static string? Normalise(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static ProposalContent Normalised(ProposalContent content) => content with
    {
        Title = content.Title?.Trim() ?? "",
        Summary = content.Summary?.Trim() ?? "",
        Problem = content.Problem?.Trim() ?? "",
        Solution = content.Solution?.Trim() ?? "",
        ExpectedEffect = content.ExpectedEffect?.Trim() ?? "",
        Category = content.Category?.Trim() ?? "",
        OrganisationName = content.Relation == ProposerRelation.Organisation ? Normalise(content.OrganisationName) : null,
        TitleEn = Normalise(content.TitleEn),
        SummaryEn = Normalise(content.SummaryEn),
    };

    private static void Check(List<ValidationError> errors, string field, string? value, int max, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(new(field, ProposalErrorCodes.Required, "This field is required."));
            }
        }
        else if (TextLength.Characters(value) is var characters && characters > max)
        {
            errors.Add(new(field, ProposalErrorCodes.TooLong, $"At most {max} characters; this has {characters}."));
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex ProposalIdPattern();
}
