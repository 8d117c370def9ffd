namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// Which entry of a snapshot's revocations refuses a key, in the order krl.c ssh_krl_check_key tries
/// them for a certificate: its key ID, then its serial under its CA, then the certified key itself,
/// then its CA. The stable spelling is <see cref="RevocationRules"/>.
/// </summary>
public enum RevocationRule
{
    KeyId,
    Serial,
    SerialRange,
    Key,
    Ca,
}
