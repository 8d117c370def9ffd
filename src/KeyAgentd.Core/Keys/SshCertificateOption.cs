namespace KeyAgentd.Core.Keys;

/// <summary>
/// One critical option or extension of a certificate (PROTOCOL.certkeys): its name and its data,
/// which for the options OpenSSH knows is either empty (a flag) or one string (force-command,
/// source-address). Reported, never acted on: sshd enforces them.
/// </summary>
public sealed record SshCertificateOption(string Name, byte[] Data)
{
    /// <summary>The string the data holds when it is exactly one SSH string, else null.</summary>
    public string? StringValue
    {
        get
        {
            if (Data.Length < 4)
            {
                return null;
            }
            uint length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(Data);
            return length == (uint)(Data.Length - 4) ? System.Text.Encoding.UTF8.GetString(Data, 4, Data.Length - 4) : null;
        }
    }
}
