namespace Chiyoda.Civic.Web.Ballots;

/// <summary>Marker for the plain-words explanations of ballot refusals (Resources/Ballots/BallotText.resx), keyed "Refusal.{code}".</summary>
public sealed class BallotText;
