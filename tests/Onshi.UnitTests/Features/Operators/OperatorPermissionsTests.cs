using Onshi.Core.Data;
using Onshi.Core.Features.Operators;
using Shouldly;

namespace Onshi.UnitTests.Features.Operators;

public sealed class OperatorPermissionsTests
{
    public static TheoryData<OperatorRole, OperatorCapability, bool> Matrix => new()
    {
        { OperatorRole.Reviewer, OperatorCapability.ReviewQueues, true },
        { OperatorRole.Reviewer, OperatorCapability.Certificates, true },
        { OperatorRole.Reviewer, OperatorCapability.CertificateReissue, true },
        { OperatorRole.Reviewer, OperatorCapability.CallCenterDesk, false },
        { OperatorRole.Reviewer, OperatorCapability.AuditLog, false },
        { OperatorRole.Reviewer, OperatorCapability.MemberImport, false },
        { OperatorRole.CallCenter, OperatorCapability.CallCenterDesk, true },
        { OperatorRole.CallCenter, OperatorCapability.ReviewQueues, false },
        { OperatorRole.CallCenter, OperatorCapability.Certificates, false },
        { OperatorRole.CallCenter, OperatorCapability.CertificateReissue, false },
        { OperatorRole.CallCenter, OperatorCapability.AuditLog, false },
        { OperatorRole.CallCenter, OperatorCapability.MemberImport, false },
        { OperatorRole.Supervisor, OperatorCapability.ReviewQueues, true },
        { OperatorRole.Supervisor, OperatorCapability.Certificates, true },
        { OperatorRole.Supervisor, OperatorCapability.CertificateReissue, true },
        { OperatorRole.Supervisor, OperatorCapability.CallCenterDesk, true },
        { OperatorRole.Supervisor, OperatorCapability.AuditLog, true },
        { OperatorRole.Supervisor, OperatorCapability.MemberImport, true },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Allows_IsTheMatrix(OperatorRole role, OperatorCapability capability, bool allowed) =>
        OperatorPermissions.Allows(role, capability).ShouldBe(allowed);

    [Fact]
    public void Matrix_CoversEveryRoleAndCapability_AndNothingUndefinedIsAllowed()
    {
        var covered = Matrix.Select(row => (row.Data.Item1, row.Data.Item2)).ToHashSet();
        foreach (var role in Enum.GetValues<OperatorRole>())
        {
            foreach (var capability in Enum.GetValues<OperatorCapability>())
            {
                covered.ShouldContain((role, capability));
            }

            OperatorPermissions.Allows(role, (OperatorCapability)999).ShouldBeFalse();
        }
    }
}
