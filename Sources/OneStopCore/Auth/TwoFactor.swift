import Crypto
import Foundation

/// 双因素认证 — time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1 of the
/// 30-second step, 6 digits, what every authenticator app (Google Authenticator, Microsoft
/// Authenticator, 腾讯身份验证器, FreeOTP) reads from an `otpauth://` QR code.
public struct TOTP: Sendable, Equatable {
    public let secret: [UInt8]
    public let digits: Int
    public let period: Double

    public init(secret: [UInt8], digits: Int = 6, period: Double = 30) {
        self.secret = secret
        self.digits = digits
        self.period = period
    }

    /// A fresh secret of 160 bits, the size RFC 4226 recommends.
    public static func generateSecret() -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    /// The time step a moment falls in.
    public func step(at seconds: Double) -> Int64 { Int64((seconds / period).rounded(.down)) }

    /// The code of one step (RFC 4226 §5.3, dynamic truncation).
    public func code(step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - value.count)) + value
    }

    public func code(at seconds: Double) -> String { code(step: step(at: seconds)) }

    /// The step a typed code belongs to, if it is the code of the current step or of one step on
    /// either side (a phone's clock a little off, a code typed as it changed) and later than
    /// `after` — a code already used is refused, so one seen over a shoulder cannot be replayed.
    public func verify(_ typed: String, at seconds: Double, after lastStep: Int64? = nil, window: Int64 = 1) -> Int64? {
        let code = typed.filter { !$0.isWhitespace && $0 != "-" }
        guard code.count == digits, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else { return nil }
        let now = step(at: seconds)
        for s in (now - window)...(now + window) where s > (lastStep ?? Int64.min) {
            if constantTimeEqual(self.code(step: s), code) { return s }
        }
        return nil
    }

    /// The `otpauth://` URI an authenticator app reads from the enrolment QR code.
    public func uri(issuer: String, account: String) -> String {
        func enc(_ s: String) -> String {
            s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
        }
        return "otpauth://totp/\(enc(issuer)):\(enc(account))?secret=\(Base32.encode(secret))&issuer=\(enc(issuer))"
            + "&algorithm=SHA1&digits=\(digits)&period=\(Int(period))"
    }
}

/// Compares two strings in time that depends on their length only.
public func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff == 0
}

/// RFC 4648 base32 (upper case, no padding), the way authenticator apps take a secret typed in.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for b in bytes {
            buffer = (buffer << 8) | Int(b)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a base32 text (spaces, hyphens, padding and case ignored); nil if it is not base32.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for c in text.uppercased().utf8 where c != UInt8(ascii: " ") && c != UInt8(ascii: "-") && c != UInt8(ascii: "=") {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            buffer = ((buffer << 5) | v) & 0xffff
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> (bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return out
    }
}

/// 恢复码 — ten one-time codes shown once at enrolment, for a lost phone. Each is 10 characters
/// from an alphabet without look-alikes (no 0/O, 1/I/L), shown as `xxxxx-xxxxx`; only their
/// hashes are stored.
public enum RecoveryCodes {
    public static let count = 10
    static let alphabet = Array("23456789abcdefghjkmnpqrstuvwxyz")

    public static func generate() -> [String] {
        var g = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            let chars = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] }
            return String(chars[0..<5]) + "-" + String(chars[5...])
        }
    }

    /// A typed code as it is hashed: lower case, without spaces or hyphens.
    public static func normalise(_ typed: String) -> String {
        typed.lowercased().filter { !$0.isWhitespace && $0 != "-" }
    }

    /// Whether a typed text looks like a recovery code rather than a TOTP code.
    public static func looksLikeRecoveryCode(_ typed: String) -> Bool { normalise(typed).count == 10 }
}

/// Who must use a second factor (issue 18): center administrators, supervisors and the campaign
/// office by default; anyone may choose to. A new account — or one whose second factor an
/// administrator reset — has a grace period in which sign-in asks it to enrol but lets it skip.
public struct TwoFactorPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable { case required, optional }

    public var mode: Mode
    public var roles: Set<Role>
    public var graceSeconds: Double

    public static let defaultRoles: Set<Role> = [.centerAdmin, .supervisor, .campaignOffice]

    public init(mode: Mode = .required, roles: Set<Role> = defaultRoles, graceSeconds: Double = 7 * 86_400) {
        self.mode = mode
        self.roles = roles
        self.graceSeconds = graceSeconds
    }

    /// Whether the policy requires a second factor of this role.
    public func requires(_ role: Role) -> Bool { mode == .required && roles.contains(role) }

    public enum Demand: Equatable, Sendable {
        /// Password alone signs in.
        case none
        /// The account has a second factor: a code is needed.
        case code
        /// Enrolment is asked for and may be skipped, until the moment given.
        case enrolOffered(until: Double)
        /// The grace has run out: the account must enrol before it is signed in.
        case enrolRequired
    }

    /// What sign-in asks of an account after its password was right.
    public func demand(role: Role, enrolled: Bool, graceUntil: Double, now: Double) -> Demand {
        if enrolled { return .code }
        guard requires(role) else { return .none }
        return now < graceUntil ? .enrolOffered(until: graceUntil) : .enrolRequired
    }
}
