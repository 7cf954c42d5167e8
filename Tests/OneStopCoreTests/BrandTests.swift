import Foundation
import Testing

@testable import OneStopCore

/// 机关服务品牌 (issue 22): the definition's checks, the states, the selection's arithmetic, the
/// campaign's phases and the logo sanitiser.
@Suite("Service brands")
struct BrandTests {
    @Test("a name over 8 characters or already used is warned about; a definition needs a name, a 宗旨 and a commitment")
    func definition() {
        #expect(BrandRules.nameWarnings("红马甲", others: ["蓝色港湾"]).isEmpty)
        #expect(BrandRules.nameWarnings("一站式全程代办暖心服务", others: []) == ["brand.nameLong"])
        #expect(BrandRules.nameWarnings("红 马甲", others: ["红马甲"]) == ["brand.nameTaken"])
        let system = BrandRules.ServiceSystem(commitments: ["24 小时答复"])
        #expect(BrandRules.definitionProblems(name: "红马甲", culture: .init(purpose: "便民"), system: system).isEmpty)
        let bad = BrandRules.definitionProblems(
            name: " ", culture: .init(ideas: [.init(name: "", text: "x")]), system: .init(commitments: [" "]))
        #expect(bad.map(\.field) == ["name", "culture.purpose", "culture.ideas.0.name", "system.commitments"])
    }

    @Test("states move only forward along the brand's life, and back to practice when not chosen")
    func states() {
        typealias S = BrandRules.State
        #expect(S.cultivating.may(become: .practising) && !S.cultivating.may(become: .named))
        #expect(S.candidate.may(become: .typical) && S.candidate.may(become: .practising))
        #expect(S.named.may(become: .underReview) && !S.named.may(become: .revoked))
        #expect(S.underReview.may(become: .revoked) && S.underReview.may(become: .named))
        #expect(S.revoked.next.isEmpty && !S.revoked.isPublic && !S.cultivating.isPublic && S.typical.isPublic)
    }

    @Test("the expert score drops the highest and lowest from five experts; conflicts exclude; ties share a rank")
    func selection() {
        #expect(BrandSelection.expertScore([]) == nil)
        #expect(BrandSelection.expertScore([80, 90, 70, 60]) == 75, "four experts: the plain mean")
        #expect(BrandSelection.expertScore([80, 90, 70, 60, 100]) == 80, "five: 100 and 60 dropped")
        #expect(BrandSelection.expertScore([80, 80, 80, 80, 80]) == 80)
        let dept = UUID()
        #expect(BrandSelection.exclusion(expertDepartment: dept, brandDepartment: dept, declaredConflict: false) == .ownDepartment)
        #expect(BrandSelection.exclusion(expertDepartment: nil, brandDepartment: dept, declaredConflict: true) == .declared)
        #expect(BrandSelection.exclusion(expertDepartment: UUID(), brandDepartment: dept, declaredConflict: false) == nil)
        #expect(!BrandSelection.scoresVisible(assigned: 3, scored: 2) && BrandSelection.scoresVisible(assigned: 3, scored: 3))
        let full: [BrandSelection.Standard: Double] = [.name: 15, .logo: 10, .culture: 20, .system: 20, .benefit: 25]
        #expect(BrandSelection.scoreProblems(full).isEmpty)
        var over = full
        over[.logo] = 16
        over[.benefit] = nil
        #expect(BrandSelection.scoreProblems(over).map(\.field) == ["scores.logo", "scores.benefit"])

        // Social: the survey's 80 with satisfaction 0.9 at weight 1:1 is 85, less 2 a valid complaint.
        let social = BrandSelection.Social(surveyWeight: 1, ratingWeight: 1, complaintPenalty: 2)
        #expect(social.score(survey: 80, satisfaction: 0.9, validComplaints: 1) == 83)
        #expect(BrandSelection.Social().score(survey: nil, satisfaction: 0.9, validComplaints: 0) == nil)
        #expect(BrandSelection.combined(expert: 80, social: 90) == 84 && BrandSelection.combined(expert: 80, social: nil) == nil)

        let ranked = BrandSelection.rank([
            .init(brand: "a", name: "甲", expert: 80, social: 90, combined: 84),
            .init(brand: "b", name: "乙", expert: 90, social: 75, combined: 84),
            .init(brand: "c", name: "丙", expert: 90, social: 75, combined: 84),
            .init(brand: "d", name: "丁", expert: 70, social: nil, combined: nil),
            .init(brand: "e", name: "戊", expert: 95, social: 95, combined: 95),
        ])
        #expect(ranked.map(\.entry.brand) == ["e", "b", "c", "a", "d"] || ranked.map(\.entry.brand) == ["e", "c", "b", "a", "d"])
        #expect(ranked.map(\.rank) == [1, 2, 2, 4, nil], "the expert score breaks the tie; equal on both, a shared rank")
    }

    @Test("a campaign's four phases in order, each allowing its acts")
    func phases() throws {
        func d(_ s: String) -> CivilDate { CivilDate(s)! }
        let p = BrandCampaignPhases([
            .init(.cultivation, from: d("2026-01-01"), to: d("2026-03-31")), .init(.practice, from: d("2026-04-01"), to: d("2026-09-30")),
            .init(.selection, from: d("2026-10-01"), to: d("2026-11-30")),
            .init(.consolidation, from: d("2026-12-01"), to: d("2027-12-31")),
        ])
        #expect(p.problems.isEmpty)
        #expect(p.phase(on: d("2026-05-01")) == .practice && p.phase(on: d("2025-12-31")) == nil)
        #expect(p.allows(.weeklyReport, on: d("2026-05-01")) && !p.allows(.weeklyReport, on: d("2026-10-01")))
        #expect(p.allows(.declare, on: d("2026-10-01")) && p.allows(.name, on: d("2026-12-01")) && !p.allows(.name, on: d("2026-11-30")))
        #expect(p.allows(.inspect, on: d("2026-02-01")) && !p.allows(.inspect, on: d("2028-01-01")))
        var bad = p
        bad.spans.swapAt(0, 1)
        #expect(bad.problems.contains("brand.phasesOrder"))
        bad = p
        bad.spans[1].from = d("2026-03-01")
        #expect(bad.problems == ["brand.phasesOverlap"])
        bad.spans[1] = .init(.practice, from: d("2026-09-30"), to: d("2026-04-01"))
        #expect(bad.problems.contains("brand.phaseDates"))
    }

    @Test("an SVG logo keeps its drawing and loses scripts, handlers, outside links and entities")
    func svg() throws {
        let clean = """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>红马甲</title>\
            <defs><linearGradient id="g"><stop offset="0" stop-color="#c00"/></linearGradient></defs>\
            <circle cx="5" cy="5" r="4" fill="url(#g)"/><use href="#g"/></svg>
            """
        let out = try SVGSanitizer.sanitize(Data(clean.utf8)).get()
        #expect(out.contains("<circle cx=\"5\" cy=\"5\" fill=\"url(#g)\" r=\"4\">") && out.contains("<title>红马甲</title>"))
        #expect(out.contains("<use href=\"#g\">"))

        let evil = """
            <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)"><script>alert(2)</script>\
            <a href="https://evil.example/"><rect width="1" height="1"/></a>\
            <image href="https://evil.example/x.png"/><use xlink:href="https://evil.example/s.svg#a"/>\
            <rect style="fill: url(https://evil.example/p)" onclick="x()" width="2"/>\
            <foreignObject><div>html</div></foreignObject><style>@import url(https://evil.example/c.css);</style></svg>
            """
        let cleaned = try SVGSanitizer.sanitize(Data(evil.utf8)).get()
        for bad in ["script", "alert", "evil.example", "onload", "onclick", "foreignObject", "<a", "image", "@import", "html"] {
            #expect(!cleaned.contains(bad), "\(bad) in \(cleaned)")
        }
        #expect(cleaned.contains("<rect width=\"2\">"))
        let entity = """
            <?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>
            """
        #expect(throws: SVGSanitizer.Failure.doctype) { try SVGSanitizer.sanitize(Data(entity.utf8)).get() }
        #expect(throws: SVGSanitizer.Failure.notSVG) { try SVGSanitizer.sanitize(Data("<html><body/></html>".utf8)).get() }
        #expect(throws: SVGSanitizer.Failure.notSVG) { try SVGSanitizer.sanitize(Data("<svg><g></svg>".utf8)).get() }
    }
}
