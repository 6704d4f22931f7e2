"""gdb suite, hostile input: bad checksums, overlong packets, huge or unmapped memory accesses,
bogus threads and breakpoints answer errors; the stub and the VM go on."""
import time

import gdblib
import tvmm
from tvmm import check
from gdblib import Machine

HEARTBEAT = 0x500


def counter(m):
    return m.qmp.command("x-read-memory", {"addr": HEARTBEAT, "size": 4, "physical": True})


def hostile_packets():
    with Machine() as m:
        m.wait_output("spin guest")
        r = gdblib.Raw(m.gdb)
        r.send_raw(b"garbage between packets\x7f")
        r.send_raw(b"$g#00")  # bad checksum
        check(r.ack() == b"-", "a bad checksum is refused")
        r.send(b"m0," + b"1" * 9000)  # longer than PacketSize
        check(r.ack() == b"-", "an overlong packet is refused")
        r.send_raw(b"$m0,4#zz")  # checksum not hex
        check(r.ack() == b"-", "a non-hex checksum is refused")
        for pkt, want in [
            ("m0,8000000000000000", "E22"),  # 2^63 bytes
            ("m0,ffffffffffffffffff", "E22"),  # a number past 64 bits
            ("m0,801", "E22"),  # past PacketSize/2
            ("mffffffffffffffff,2", "E14"),  # past the end of the address space
            ("md0000000,4", "E14"),  # not RAM (real mode: physical)
            ("Mfee00000,4:00000000", "E14"),  # the LAPIC's MMIO
            ("Md0000000,1:00", "E14"),
            ("M1000,2:zz00", "E22"),  # bad hex
            ("M1000,4:00", "E22"),  # short data
            ("X1000,4:", "E22"),
            ("Hg63", "E22"), ("Hc-5", "E22"), ("T9", "E22"), ("T0", "E22"),
            ("qThreadExtraInfo,77", "E22"), ("p999", "E22"), ("P0=zz", "E22"),
            ("G00", "E22"), ("Z0,d0000000,1", "E22"), ("Z2,501,4", "E22"),
            ("Z9,0,1", ""), ("Z1,", "E22"), ("vCont;x", "E22"), ("vCont;c:99", "E22"),
            ("qXfer:features:read:other.xml:0,10", "E00"),
            ("qXfer:features:read:target.xml:ffffff,10", "E22"),
            ("Qbogus", ""), ("", ""),
        ]:
            got = r.cmd(pkt)
            check(got == want, f"reply to {pkt[:40]!r}", want, got)
        for i in range(4):
            check(r.cmd("Z1,%x,1" % (0x2000 + i)) == "OK", "Z1 in a free debug register")
        check(r.cmd("Z1,3000,1") == "E22", "a fifth hardware breakpoint", "E22")
        for i in range(4):
            check(r.cmd("z1,%x,1" % (0x2000 + i)) == "OK", "z1")
        check(r.cmd("z0,1000,1") == "E22", "removing a breakpoint never set", "E22")
        for i in range(256):  # a breakpoint on every page of the first MiB
            check(r.cmd("Z0,%x,1" % (i * 4096 + 0x800)) == "OK", f"Z0 number {i + 1}")
        check(r.cmd("Z0,%x,1" % 0x100800) == "E22", "the 257th software breakpoint", "E22")
        check(r.cmd("m800,1") == r.cmd("m800,1") and r.cmd("m800,1") != "cc",
              "memory reads show no int3", "", r.cmd("m800,1"))
        for i in range(256):
            check(r.cmd("z0,%x,1" % (i * 4096 + 0x800)) == "OK", f"z0 number {i + 1}")
        r.send_raw(b"\x03\x03")  # Ctrl-C while stopped: nothing to stop
        check(r.cmd("qC") == "QC1", "the stub answers on")
        check(len(r.cmd("g")) == 2 * 608, "g after all that", 1216)
        check(r.cmd("D") == "OK", "detach")
        check(m.qmp.command("query-status")["return"]["status"] == "running", "running after D")
        a = counter(m)
        end = time.monotonic() + tvmm.scaled(20)
        while counter(m) == a and time.monotonic() < end:
            time.sleep(0.01)
        check(counter(m) != a, "the VM runs on after the hostile session")
        r.close()


def page_tables():
    """m and M go through the vCPU's page tables (the pagetables guest's remapped pages);
    unmapped addresses answer E14, as QEMU's stub."""
    with Machine(guest="pagetables") as m:
        m.wait_output("paging ready")
        r = gdblib.Raw(m.gdb)
        for gva, text in [(0x7000, b"PHYS-0x5000-DATA"), (0x8000, b"PHYS-0x3000-DATA"),
                          (0x80005000, b"PHYS-0x5000-DATA")]:
            got = r.cmd("m%x,10" % gva)
            check(got == text.hex(), f"m at virtual {gva:#x}", text.hex(), got)
        for gva in (0x200000, 0x40200000, 0xc0000000, 0xffff800000000000):
            check(r.cmd("m%x,20" % gva) == "E14", f"m at unmapped {gva:#x}", "E14", "")
        check(r.cmd("M7000,4:58595a5b") == "OK", "M through a remapped page")
        got = m.qmp.command("x-read-memory", {"addr": 0x5000, "size": 4, "physical": True})
        check(got == {"return": "58595a5b"}, "M wrote physical 0x5000", "58595a5b", got)
        check(r.cmd("M1fffff,2:0000") == "E14", "M across into unmapped memory", "E14", "")
        r.close()


def second_client():
    """One debugger at a time: a second connection is closed at once (and logged)."""
    with Machine() as m:
        r = gdblib.Raw(m.gdb)
        check(r.cmd("qC") == "QC1", "the first debugger")
        s = tvmm.connect_unix(m.gdb)
        s.settimeout(tvmm.scaled(10))
        check(s.recv(100) == b"", "the second connection is closed", b"", "")
        s.close()
        check(r.cmd("qC") == "QC1", "the first debugger goes on")
        r.close()
        m.qmp.command("quit")
        m.wait_exit()
        check(b"gdb on " in m.err and b"client refused: 1 clients already" in m.err,
              "the refusal is logged", "client refused", m.err)


tvmm.main({"page-tables": page_tables, "hostile-packets": hostile_packets, "second-client": second_client})
