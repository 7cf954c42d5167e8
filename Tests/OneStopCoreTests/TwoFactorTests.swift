import Foundation
import Testing

@testable import OneStopCore

@Suite struct TwoFactorTests {
    /// RFC 6238 appendix B, SHA-1 column (the secret is the ASCII of "12345678901234567890").
    @Test func rfc6238Vectors() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8), digits: 8)
        let vectors: [(Double, String)] = [
            (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
        ]
        for (t, code) in vectors { #expect(totp.code(at: t) == code, "T=\(t)") }
    }

    /// RFC 4226 appendix D: HOTP values for counters 0…9.
    @Test func rfc4226Vectors() {
        let hotp = TOTP(secret: Array("12345678901234567890".utf8))
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        for (i, code) in expected.enumerated() { #expect(hotp.code(step: Int64(i)) == code) }
    }

    @Test func verifyAcceptsNeighbouringStepsOnlyOnce() {
        let totp = TOTP(secret: TOTP.generateSecret())
        let now = 1_790_000_015.0
        let step = totp.step(at: now)
        #expect(totp.verify(totp.code(at: now), at: now) == step)
        #expect(totp.verify(totp.code(at: now - 30), at: now) == step - 1)
        #expect(totp.verify(totp.code(at: now + 30), at: now) == step + 1)
        #expect(totp.verify(totp.code(at: now - 90), at: now) == nil)
        // A code used once is refused after.
        #expect(totp.verify(totp.code(at: now), at: now, after: step) == nil)
        #expect(totp.verify(totp.code(at: now + 30), at: now, after: step) == step + 1)
        // Typed with a space, or not digits.
        let c = totp.code(at: now)
        #expect(totp.verify(String(c.prefix(3)) + " " + String(c.suffix(3)), at: now) == step)
        #expect(totp.verify("abcdef", at: now) == nil)
        #expect(totp.verify("", at: now) == nil)
        #expect(totp.verify("１２３４５６", at: now) == nil)
    }

    @Test func base32RoundTrip() {
        #expect(Base32.encode(Array("Hello!".utf8) + [0xDE, 0xAD, 0xBE, 0xEF]) == "JBSWY3DPEHPK3PXP")
        #expect(Base32.decode("jbsw y3dp-ehpk3pxp") == Array("Hello!".utf8) + [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.decode("MZXW6YTBOI======") == Array("foobar".utf8))
        #expect(Base32.decode("not base32!") == nil)
        let s = TOTP.generateSecret()
        #expect(Base32.decode(Base32.encode(s)) == s)
    }

    @Test func uriNamesIssuerAndAccount() {
        let totp = TOTP(secret: Array("Hello!".utf8) + [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(
            totp.uri(issuer: "OneStop 政务", account: "admin")
                == "otpauth://totp/OneStop%20%E6%94%BF%E5%8A%A1:admin?secret=JBSWY3DPEHPK3PXP&issuer=OneStop%20%E6%94%BF%E5%8A%A1"
                + "&algorithm=SHA1&digits=6&period=30")
        #expect(QRCode.encode(totp.uri(issuer: "OneStop", account: "a_long_user_name_of_forty_characters____")) != nil)
    }

    @Test func recoveryCodes() {
        let codes = RecoveryCodes.generate()
        #expect(codes.count == 10)
        #expect(Set(codes).count == 10)
        for c in codes {
            #expect(c.count == 11)
            #expect(RecoveryCodes.looksLikeRecoveryCode(c.uppercased()))
            #expect(!c.contains("0") && !c.contains("1") && !c.contains("l") && !c.contains("o"))
        }
        #expect(RecoveryCodes.normalise(" ABCDE-fghjk ") == "abcdefghjk")
        #expect(!RecoveryCodes.looksLikeRecoveryCode("123456"))
    }

    @Test func policy() {
        let p = TwoFactorPolicy()
        #expect(p.demand(role: .centerAdmin, enrolled: false, graceUntil: 100, now: 50) == .enrolOffered(until: 100))
        #expect(p.demand(role: .centerAdmin, enrolled: false, graceUntil: 100, now: 100) == .enrolRequired)
        #expect(p.demand(role: .supervisor, enrolled: true, graceUntil: 0, now: 100) == .code)
        #expect(p.demand(role: .windowStaff, enrolled: false, graceUntil: 0, now: 100) == .none)
        #expect(p.demand(role: .windowStaff, enrolled: true, graceUntil: 0, now: 100) == .code)
        #expect(p.demand(role: .campaignOffice, enrolled: false, graceUntil: 0, now: 100) == .enrolRequired)
        let optional = TwoFactorPolicy(mode: .optional)
        #expect(optional.demand(role: .centerAdmin, enrolled: false, graceUntil: 0, now: 100) == .none)
        #expect(optional.demand(role: .centerAdmin, enrolled: true, graceUntil: 0, now: 100) == .code)
    }
}
