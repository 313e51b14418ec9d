package dev.coracle.server.controller.nodeipam;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrSetTest {

    @Test
    void handsOutSlash24sLowestFirstAndReusesReleasedOnes() {
        CidrSet set = new CidrSet("10.42.0.0/16", 24);
        assertThat(set.free()).isEqualTo(256);
        assertThat(set.allocateNext()).isEqualTo("10.42.0.0/24");
        assertThat(set.occupy("10.42.1.0/24")).isTrue();
        assertThat(set.allocateNext()).isEqualTo("10.42.2.0/24");
        set.release("10.42.0.0/24");
        assertThat(set.allocateNext()).isEqualTo("10.42.0.0/24");
        assertThat(set.free()).isEqualTo(253);
    }

    @Test
    void ignoresSubnetsThatAreNotItsOwn() {
        CidrSet set = new CidrSet("10.42.0.0/16", 24);
        assertThat(set.occupy("10.43.0.0/24")).isFalse();
        assertThat(set.occupy("10.42.0.0/25")).isFalse();
        assertThat(set.occupy("10.42.0.128/24")).isFalse();
    }

    @Test
    void aSmallClusterRunsOut() {
        CidrSet set = new CidrSet("192.168.0.0/23", 24);
        assertThat(set.allocateNext()).isEqualTo("192.168.0.0/24");
        assertThat(set.allocateNext()).isEqualTo("192.168.1.0/24");
        assertThat(set.allocateNext()).isNull();
    }

    @Test
    void rejectsWhatIsNotAnIpv4Cidr() {
        assertThatThrownBy(() -> new CidrSet("fd00::/48", 24)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--cluster-cidr");
        assertThatThrownBy(() -> new CidrSet("10.42.0.0", 24)).isInstanceOf(IllegalArgumentException.class);
    }
}
