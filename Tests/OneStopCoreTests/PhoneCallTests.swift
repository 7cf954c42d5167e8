import OneStopCore
import Testing

@Suite("Supervision-phone register")
struct PhoneCallTests {
    @Test("a number dialled reaches a window's phone by its digits, with or without the area code")
    func matching() {
        #expect(PhoneCallRules.matches(dialled: "05336012345", phone: "0533-6012345"))
        #expect(PhoneCallRules.matches(dialled: "6012345", phone: "0533-6012345"))
        #expect(!PhoneCallRules.matches(dialled: "6012346", phone: "0533-6012345"))
        #expect(!PhoneCallRules.matches(dialled: "45", phone: "0533-6012345"))
    }

    @Test("Master.csv: good lines read, a header skipped, every bad line named, a call twice refused")
    func parsing() throws {
        let good = [
            "accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,disposition,amaflags,uniqueid,userfield",
            "\"\","
                + #""13900001111","6012345","from-pstn","""张三"" <13900001111>","SIP/t-1","SIP/801-2","Dial","SIP/801,30","2026-12-04 09:15:02","2026-12-04 09:15:09","2026-12-04 09:16:00","58","51","ANSWERED","DOCUMENTATION","1701.1","""#,
            ",13900002222,6012345,from-pstn,x,SIP/t,,Dial,,2026-12-04 10:00:00,,2026-12-04 10:00:30,30,0,NO ANSWER,DOCUMENTATION", "",
        ].joined(separator: "\r\n")
        let records = try AsteriskCDR.parse(good).get()
        #expect(records.count == 2)
        #expect(records[0].disposition == .answered && records[0].billsec == 51 && records[0].startSecond == 9 * 3600 + 15 * 60 + 2)
        #expect(records[1].disposition == .noAnswer && records[1].uniqueID.contains("13900002222"), "no uniqueid: known by its start")
        let bad = """
            ,1,6012345,c,x,SIP/t,,Dial,,2026-12-04 25:00:00,,,30,0,BUSY,3,u1,
            ,1,6012345,c,x,SIP/t,,Dial,,2026-12-04 10:00:00,,,-1,0,MAYBE,3,u2,
            ,1,60,c,x,SIP/t,,Dial,,2026-12-04 10:00:00,,,1,0,BUSY,3,u3,
            only,three,cells
            ,1,6012345,c,x,SIP/t,,Dial,,2026-12-04 10:00:00,,,1,0,FAILED,3,u4,
            ,1,6012345,c,x,SIP/t,,Dial,,2026-12-04 10:00:00,,,1,0,CONGESTION,3,u4,
            """
        guard case .failure(let problems) = AsteriskCDR.parse(bad) else {
            Issue.record("bad lines accepted")
            return
        }
        #expect(
            problems.lines.map { "\($0.line):\($0.column):\($0.code)" } == [
                "1:start:phone.time", "2:duration:phone.seconds", "2:disposition:phone.disposition", "3:dst:phone.number",
                "4::phone.columns", "6:uniqueid:phone.repeated",
            ])
    }

    @Test("a window's day warns at the third unanswered call; a test call's poor outcome is counted")
    func day() {
        var d = PhoneDay()
        d.count(disposition: .noAnswer, test: false, verdict: nil)
        d.count(disposition: .answered, test: true, verdict: .wrongInformation)
        d.count(disposition: .busy, test: false, verdict: nil)
        #expect(!d.warns && d.testsFailed == 1 && d.tests == 1)
        d.count(disposition: .failed, test: true, verdict: .unanswered)
        #expect(d.warns && d.unanswered == 3 && d.answered == 1 && d.calls == 4)
    }
}
