import Crypto
import Foundation
import NIOConcurrencyHelpers
import OneStopCore

enum Digest {
    private static let suiteBox = NIOLockedValueBox(CryptoSuite.standard)

    /// The process's choice of algorithms (`ONESTOP_CRYPTO`), set once at start-up.
    static var suite: CryptoSuite {
        get { suiteBox.withLockedValue { $0 } }
        set { suiteBox.withLockedValue { $0 = newValue } }
    }

    static let sm3Prefix = "sm3:"

    /// An audit entry's hash under the process's suite: SHA-256 in hex, or `sm3:` and SM3 in hex.
    static func auditHash(_ text: String) -> String { auditHash(text, suite: suite) }

    static func auditHash(_ text: String, suite: CryptoSuite) -> String {
        switch suite {
        case .standard: return sha256Hex(text)
        case .guomi: return sm3Prefix + ((try? GuoMi.sm3(Array(text.utf8))).map { hex($0) } ?? "unavailable")
        }
    }

    /// The hash of `text` by the digest that `stored` was made with, to check a chain of either kind.
    static func auditHash(_ text: String, like stored: String) -> String {
        auditHash(text, suite: stored.hasPrefix(sm3Prefix) ? .guomi : .standard)
    }

    static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Array(text.utf8)))
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex, without `String(format:)` (a profile of the hall benchmark found hashing the
    /// audit chain spent most of its time formatting bytes one by one).
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A random URL-safe secret with `bytes` bytes of entropy.
    static func randomToken(bytes: Int = 32) -> String {
        var g = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) }
        // base64url without padding, in one pass.
        let url = Data(raw).base64EncodedString().utf8.compactMap { c -> UInt8? in
            switch c {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            case UInt8(ascii: "="): nil
            default: c
            }
        }
        return String(decoding: url, as: UTF8.self)
    }

    /// A password people can type: letters and digits without look-alikes.
    static func randomPassword(length: Int = 16) -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var g = SystemRandomNumberGenerator()
        while true {
            let p = String((0..<length).map { _ in alphabet.randomElement(using: &g)! })
            if p.contains(where: \.isNumber), p.contains(where: \.isLetter) { return p }
        }
    }
}
