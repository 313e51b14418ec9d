package dev.coracle.agent.runtime;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ProcStatTest {

    @Test
    void readsTheFieldsAfterACommandNameWithSpacesAndParentheses() {
        String line = "4242 (we (ird) name) S 17 4242 4240 0 -1 4194560 120 0 0 0 31 9 0 0 20 0 1 0 987654 2351104 377 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 65538 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
        ProcStat stat = ProcStat.parse(line).orElseThrow();
        assertThat(stat).isEqualTo(new ProcStat(4242, 'S', 17, 4240, 40, 987654, 377));
    }

    @Test
    void aTruncatedLineIsNoStat() {
        assertThat(ProcStat.parse("4242 (sh) S 17 4242")).isEmpty();
        assertThat(ProcStat.parse("")).isEmpty();
    }

    @Test
    void readsThisProcessAsTheKernelShowsIt() throws Exception {
        long pid = ProcessHandle.current().pid();
        ProcStat stat = ProcStat.read(pid).orElseThrow();
        String text = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] after = text.substring(text.lastIndexOf(')') + 2).trim().split("\\s+");
        assertThat(stat.pid()).isEqualTo(pid);
        assertThat(stat.parent()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
        assertThat(stat.startTicks()).isEqualTo(Long.parseLong(after[19]));
        assertThat(ProcStat.alive(pid, stat.startTicks())).isTrue();
        assertThat(ProcStat.alive(pid, stat.startTicks() + 1)).isFalse();
        assertThat(ProcStat.read(Integer.MAX_VALUE)).isEmpty();
    }
}
