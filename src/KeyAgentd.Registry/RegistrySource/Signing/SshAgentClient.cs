using System.Buffers.Binary;
using System.Net.Sockets;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// The two ssh-agent requests signing needs (draft-miller-ssh-agent: SSH_AGENTC_REQUEST_IDENTITIES
/// and SSH_AGENTC_SIGN_REQUEST) over the agent's Unix socket. The private key stays in the agent or
/// in the security key behind it; this process only ever sees public keys and signatures.
/// </summary>
internal sealed class SshAgentClient : IDisposable
{
    private const byte AgentFailure = 5;
    private const byte RequestIdentities = 11;
    private const byte IdentitiesAnswer = 12;
    private const byte SignRequest = 13;
    private const byte SignResponse = 14;

    /// <summary>SSH_AGENT_RSA_SHA2_512: SSHSIG signs with rsa-sha2-512, as ssh-keygen -Y sign does.</summary>
    private const uint RsaSha2512 = 4;

    /// <summary>OpenSSH's agent refuses messages above 256 KiB (AGENT_MAX_LEN); so do we.</summary>
    private const int MaxMessageBytes = 256 * 1024;

    private readonly Socket _socket;

    private SshAgentClient(Socket socket) => _socket = socket;

    /// <exception cref="IOException">No agent at <paramref name="socketPath"/>.</exception>
    public static SshAgentClient Connect(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot reach ssh-agent at {socketPath}: {e.Message}", e);
        }
        return new SshAgentClient(socket);
    }

    public IReadOnlyList<SshPublicKey> Identities()
    {
        byte[] reply = Call([RequestIdentities]);
        Expect(reply, IdentitiesAnswer, "list keys");
        var reader = new SshWireReader(reply.AsSpan(1));
        uint count = reader.ReadUInt32("key count");
        var keys = new List<SshPublicKey>();
        for (uint i = 0; i < count; i++)
        {
            var blob = reader.ReadString("key", SshPublicKeyDecoder.MaxBlobBytes);
            reader.ReadString("comment", 4096);
            if (TryDecode(blob.ToArray()) is { } key)
            {
                keys.Add(key);
            }
        }
        return keys;
    }

    /// <summary>
    /// Requests in flight at once. The agent answers one connection's requests in order, so a window
    /// of them keeps it busy instead of waiting a round trip (two context switches) per document; the
    /// requests and answers of a window (a few hundred bytes each) fit the socket buffers many times.
    /// </summary>
    public const int PipelineWindow = 64;

    /// <summary>
    /// The agent's SSH signature blob (string type, string signature[, flags, counter]) for each entry of
    /// <paramref name="data"/>, in order, with up to <see cref="PipelineWindow"/>
    /// SSH_AGENTC_SIGN_REQUESTs pipelined on the connection. <paramref name="data"/> may be produced
    /// while this runs (a build still rendering): each request is sent as soon as it is there and the
    /// window has room. Any refusal fails the whole batch.
    /// </summary>
    public IReadOnlyList<byte[]> SignAll(SshPublicKey key, IEnumerable<byte[]> data)
    {
        var signatures = new List<byte[]>();
        using var next = data.GetEnumerator();
        int sent = 0;
        bool exhausted = false;
        var frame = new MemoryStream();
        while (true)
        {
            // Each request goes out as soon as it is there: while the producer is still rendering the
            // next one, the agent works on those already sent, and their answers wait in the socket.
            while (!exhausted && sent - signatures.Count < PipelineWindow)
            {
                if (!next.MoveNext())
                {
                    exhausted = true;
                    break;
                }
                frame.SetLength(0);
                WriteFrame(frame, SignRequestMessage(key, next.Current));
                _socket.Send(frame.GetBuffer().AsSpan(0, (int)frame.Length));
                sent++;
            }
            if (signatures.Count == sent)
            {
                return signatures;
            }
            byte[] reply = Receive();
            Expect(reply, SignResponse, $"sign with {key.Sha256Fingerprint} (is the key loaded, or its security key present and touched?)");
            var reader = new SshWireReader(reply.AsSpan(1));
            signatures.Add(reader.ReadString("signature", 64 * 1024).ToArray());
            reader.ReadEnd();
        }
    }

    private static byte[] SignRequestMessage(SshPublicKey key, byte[] data)
    {
        var request = new MemoryStream();
        request.WriteByte(SignRequest);
        WriteString(request, key.Blob);
        WriteString(request, data);
        WriteUInt32(request, key.Type.Algorithm == SshKeyAlgorithm.Rsa ? RsaSha2512 : 0);
        return request.ToArray();
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>A key type this build does not know cannot be the one asked for: skipped, not an error.</summary>
    private static SshPublicKey? TryDecode(byte[] blob)
    {
        try
        {
            var reader = new SshWireReader(blob);
            string typeName = System.Text.Encoding.ASCII.GetString(reader.ReadString("key type", 64));
            return SshKeyType.TryGet(typeName, out var type) ? SshPublicKeyDecoder.Decode(type, blob) : null;
        }
        catch (KeyFormatException)
        {
            return null;
        }
    }

    private byte[] Call(byte[] message)
    {
        var frame = new MemoryStream();
        WriteFrame(frame, message);
        _socket.Send(frame.ToArray());
        return Receive();
    }

    private static void WriteFrame(MemoryStream stream, byte[] message)
    {
        WriteUInt32(stream, (uint)message.Length);
        stream.Write(message);
    }

    private byte[] Receive()
    {
        var header = new byte[4];
        ReceiveExactly(header);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length is 0 or > MaxMessageBytes)
        {
            throw new IOException($"ssh-agent sent a reply of {length} bytes");
        }
        var reply = new byte[length];
        ReceiveExactly(reply);
        return reply;
    }

    private void ReceiveExactly(byte[] buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = _socket.Receive(buffer, read, buffer.Length - read, SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("ssh-agent closed the connection");
            }
            read += n;
        }
    }

    private static void Expect(byte[] reply, byte type, string what)
    {
        if (reply[0] == AgentFailure)
        {
            throw new IOException($"ssh-agent refused to {what}");
        }
        if (reply[0] != type)
        {
            throw new IOException($"ssh-agent answered message type {reply[0]} to a request to {what}");
        }
    }

    private static void WriteString(Stream stream, ReadOnlySpan<byte> bytes)
    {
        WriteUInt32(stream, (uint)bytes.Length);
        stream.Write(bytes);
    }

    private static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        stream.Write(bytes);
    }
}
