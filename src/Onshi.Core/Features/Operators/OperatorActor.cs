namespace Onshi.Core.Features.Operators;

/// <summary>Who acts in the operator console, from where: the operator's id (its role is read fresh) and the client address.</summary>
public sealed record OperatorActor(long OperatorId, string ClientAddress);
