import Testing

@testable import OneStopCore

@Suite("Identity numbers and masking")
struct IdentityTests {
    @Test(
        "GB 11643 check digits",
        arguments: [
            ("11010519491231002X", true), ("11010519491231002x", true), ("110105194912310021", false),
            ("11010519491331002X", false), ("1101051949123100", false), ("11010519491231002Y", false),
        ])
    func residentID(id: String, valid: Bool) {
        #expect(ResidentID.isValid(id) == valid)
    }

    @Test("each problem has its own code, so the message can say what is wrong")
    func problems() {
        func code(_ s: String) -> String? {
            if case .failure(let b) = ResidentID.validate(s) { return b.problem.rawValue }
            return nil
        }
        #expect(code("123") == "id.length")
        #expect(code("1101051949123100AX") == "id.characters")
        #expect(code("110105194902300028") == "id.birthDate")
        #expect(code("110105194912310021") == "id.checkDigit")
    }

    @Test("numbers are masked to what a viewer may see")
    func masking() {
        #expect(ResidentID.masked("11010519491231002X") == "110***********002X")
        #expect(PhoneNumber.masked("13812345678") == "138****5678")
        #expect(PhoneNumber.masked("0533-6012345") == "0533-*****45")
        #expect(PhoneNumber.masked("12345") == "12345")
    }

    @Test(
        "phone numbers",
        arguments: [
            ("13812345678", true), ("+86 138 1234 5678", true), ("12812345678", false), ("0533-6012345", true),
            ("053360123456", true), ("010-12345678-123", true), ("12345", true), ("abc", false), ("1381234567", false),
        ])
    func phones(raw: String, valid: Bool) {
        #expect(PhoneNumber.isValid(raw) == valid)
    }
}

@Suite("Audit chain")
struct AuditChainTests {
    /// A stand-in digest for the rule's tests; the server passes SHA-256.
    static func digest(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    func chain(_ n: Int) -> [AuditRecord] {
        var out: [AuditRecord] = []
        var prev = AuditChain.genesis
        for i in 1...n {
            let r = AuditChain.seal(
                AuditRecord(
                    sequence: Int64(i), occurredAtMillis: 1_700_000_000_000 + Int64(i), actor: "user:admin", action: "window.create",
                    entityType: "window", entityID: "w\(i)", centerID: "c", detail: "{\"number\":\"\(i)\"}", previousHash: prev),
                digest: Self.digest)
            out.append(r)
            prev = r.hash
        }
        return out
    }

    @Test("an untouched chain verifies")
    func intact() { #expect(AuditChain.verify(chain(20), digest: Self.digest) == nil) }

    @Test("editing a row is found at that row")
    func edited() {
        var c = chain(10)
        c[4].detail = "{\"number\":\"99\"}"
        #expect(AuditChain.verify(c, digest: Self.digest) == .altered(sequence: 5))
    }

    @Test("re-sealing an edited row still breaks the next link")
    func resealed() {
        var c = chain(10)
        c[4].actor = "user:mallory"
        c[4] = AuditChain.seal(c[4], digest: Self.digest)
        #expect(AuditChain.verify(c, digest: Self.digest) == .unlinked(sequence: 6))
    }

    @Test("deleting a row leaves a gap")
    func deleted() {
        var c = chain(10)
        c.remove(at: 3)
        #expect(AuditChain.verify(c, digest: Self.digest) == .gap(after: 3, next: 5))
    }

    @Test("separators inside fields cannot forge another record's form")
    func canonical() {
        let a = AuditRecord(
            sequence: 1, occurredAtMillis: 1, actor: "a|b", action: "c", entityType: "", entityID: "", centerID: "", detail: "",
            previousHash: "")
        let b = AuditRecord(
            sequence: 1, occurredAtMillis: 1, actor: "a", action: "b|c", entityType: "", entityID: "", centerID: "", detail: "",
            previousHash: "")
        #expect(a.canonicalForm != b.canonicalForm)
        // The exact form is what every stored hash was made from: it must never change.
        #expect(a.canonicalForm == #"1|1|a\|b|c|||||"#)
        let c = AuditRecord(
            sequence: 7, occurredAtMillis: 42, actor: #"x\|y"#, action: "学", entityType: "t", entityID: "i", centerID: "c",
            detail: #"{"k":"a\\b"}"#, previousHash: "p")
        #expect(c.canonicalForm == #"7|42|x\\\|y|学|t|i|c|{"k":"a\\\\b"}|p"#)
    }
}

@Suite("Organisation rules")
struct OrgRuleTests {
    @Test("a child center sits below its parent")
    func levels() {
        let input = CenterInput(name: "城关镇便民服务中心", code: "T1", level: "township")
        if case .failure = input.validate(parentLevel: .county) { Issue.record("township under county is fine") }
        guard case .failure(let f) = input.validate(parentLevel: .village) else { Issue.record("must fail"); return }
        #expect(f.errors == [FieldError("level", "center.levelBelowParent")])
    }

    @Test("every bad field is named at once")
    func allErrors() {
        guard case .failure(let f) = CenterInput(code: "a b", level: "galaxy", phone: "12").validate(parentLevel: nil) else {
            Issue.record("must fail"); return
        }
        #expect(Set(f.errors.map(\.field)) == ["name", "code", "level", "phone"])
    }

    @Test("department windows need a department; comprehensive ones must not have one")
    func windows() {
        guard case .failure(let a) = WindowInput(centerID: "c", number: 3, name: "x", kind: "department").validate() else {
            Issue.record("must fail"); return
        }
        #expect(a.errors == [FieldError("departmentID", "window.departmentRequired")])
        guard case .failure(let b) = WindowInput(centerID: "c", number: 0, name: "x", kind: "comprehensive", departmentID: "d").validate()
        else {
            Issue.record("must fail"); return
        }
        #expect(Set(b.errors.map(\.code)) == ["window.numberRange", "window.comprehensiveNoDepartment"])
    }

    @Test("passwords need length, letters and digits; devices are not people")
    func users() {
        guard
            case .failure(let f) = UserInput(username: "ab", displayName: "x", password: "short", role: "kiosk", centerID: "c").validate(
                passwordRequired: true)
        else {
            Issue.record("must fail"); return
        }
        #expect(Set(f.errors.map(\.code)) == ["tooShort", "password.tooShort", "password.lettersAndDigits", "user.deviceRole"])
    }

    @Test("five failures lock for fifteen minutes, then the count starts over")
    func lockout() {
        let p = LockoutPolicy()
        var failures = 0
        var locked: Double? = nil
        for i in 1...5 {
            (failures, locked) = p.afterFailure(failures: failures, now: 1000)
            #expect((locked != nil) == (i == 5))
        }
        #expect(p.check(lockedUntil: locked, now: 1000 + 899) == .locked(untilSeconds: 1900))
        #expect(p.check(lockedUntil: locked, now: 1000 + 900) == .allowed)
        #expect(failures == 0)
    }

    @Test("roles admit whom they name")
    func access() {
        #expect(Access.admins.admits(.centerAdmin))
        #expect(!Access.admins.admits(.supervisor))
        #expect(!Access.staff.admits(.kiosk))
        #expect(!Access.staff.admits(nil))
        #expect(Access.public.admits(nil))
    }
}
