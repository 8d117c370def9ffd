using System.DirectoryServices.Protocols;
using System.Runtime.InteropServices;

namespace KeyAgentd.RegistrySource.Ldap;

/// <summary>
/// Makes libldap demand a valid server certificate, whatever <c>TLS_REQCERT</c> says in /etc/ldap/ldap.conf,
/// ~/.ldaprc or <c>LDAPTLS_REQCERT</c> ("never" there would turn verification off, and S.DS.P has no
/// option for it). It sets the library's global default, which every connection made afterwards copies,
/// in the very libldap S.DS.P loaded (found in /proc/self/maps, so two installed versions cannot be mixed up),
/// and reads it back: if it cannot be made sure, no TLS connection is made.
/// </summary>
internal static class LdapCertificatePolicy
{
    private const int OptionRequireCertificate = 0x6006; // LDAP_OPT_X_TLS_REQUIRE_CERT
    private const int Demand = 2;                         // LDAP_OPT_X_TLS_DEMAND

    private static readonly Lock Gate = new();
    private static bool s_demanded;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int LdapOption(IntPtr ld, int option, ref int value);

    /// <exception cref="LdapSourceException">The setting could not be made or confirmed.</exception>
    public static void RequireVerifiedCertificates()
    {
        lock (Gate)
        {
            if (s_demanded)
            {
                return;
            }
            // Setting an option on a throwaway connection makes S.DS.P load its libldap (it binds lazily).
            using (var warm = new LdapConnection(new LdapDirectoryIdentifier("127.0.0.1", 1)))
            {
                warm.SessionOptions.ProtocolVersion = 3;
            }
            string? path = File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: 6 } fields ? fields[5] : null)
                .FirstOrDefault(p => p is not null && Path.GetFileName(p).StartsWith("libldap", StringComparison.Ordinal) && p.Contains(".so", StringComparison.Ordinal));
            if (path is null || !NativeLibrary.TryLoad(path, out IntPtr library))
            {
                throw Refused("the libldap that System.DirectoryServices.Protocols uses was not found in this process");
            }
            var set = Marshal.GetDelegateForFunctionPointer<LdapOption>(NativeLibrary.GetExport(library, "ldap_set_option"));
            var get = Marshal.GetDelegateForFunctionPointer<LdapOption>(NativeLibrary.GetExport(library, "ldap_get_option"));
            int demand = Demand, now = -1;
            if (set(IntPtr.Zero, OptionRequireCertificate, ref demand) != 0 || get(IntPtr.Zero, OptionRequireCertificate, ref now) != 0 || now != Demand)
            {
                throw Refused($"{path} did not accept TLS_REQCERT demand");
            }
            s_demanded = true;
        }
    }

    private static LdapSourceException Refused(string why) =>
        new("tls", $"certificate verification could not be made mandatory: {why}; no TLS connection is made without it", outage: false);
}
