package dev.coracle.e2e.lab;

import dev.coracle.testsupport.ServerProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The lab's files checked by the tools that read them, since no hypervisor or Docker engine runs
 * here: the Vagrantfile by {@code vagrant validate}, every shell script by {@code shellcheck}, the
 * compose file by {@code docker-compose config}.
 */
class LabFilesTest {

    private static final Path ROOT = ServerProcess.root();

    @Test
    void vagrantfileValidatesWithItsDefaults() {
        Result result = vagrant(Map.of(), "validate", "--ignore-provider");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("==> m:", "==> w1:", "==> w2:", "Vagrantfile validated successfully")
                .doesNotContain("==> w3:");
    }

    @Test
    void vagrantfileValidatesWithEverySettingOverridden() {
        // CORACLE_PROVIDER=libvirt makes libvirt the default provider (the vagrant-libvirt plugin is not
        // installed here, so Vagrant names the provider it was asked for); its settings are validated below
        // with VirtualBox as the provider Vagrant looks for
        Result libvirt = vagrant(Map.of("CORACLE_PROVIDER", "libvirt"), "validate", "--ignore-provider");
        assertThat(libvirt.output()).contains("The provider 'libvirt' could not be found");

        Result result = vagrant(Map.ofEntries(Map.entry("VAGRANT_DEFAULT_PROVIDER", "virtualbox"),
                Map.entry("CORACLE_WORKERS", "3"), Map.entry("CORACLE_BOX", "ubuntu/jammy64"), Map.entry("CORACLE_PROVIDER", "libvirt"),
                Map.entry("CORACLE_SERVER_MEMORY", "4096"), Map.entry("CORACLE_SERVER_CPUS", "4"),
                Map.entry("CORACLE_WORKER_MEMORY", "1024"), Map.entry("CORACLE_WORKER_CPUS", "2"),
                Map.entry("CORACLE_IP_PREFIX", "10.20.30"), Map.entry("CORACLE_BRIDGE", "eth0"),
                Map.entry("CORACLE_DATASTORE", "postgres"),
                // libvirt's default, nfs, has Vagrant check for an NFS server on this host, which it has not
                Map.entry("CORACLE_SYNCED_FOLDER", "rsync")), "validate", "--ignore-provider");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("==> m:", "==> w3:", "Vagrantfile validated successfully");
    }

    @Test
    void aBadSettingIsRefusedByName() {
        Result workers = vagrant(Map.of("CORACLE_WORKERS", "two"), "validate", "--ignore-provider");
        assertThat(workers.exitCode()).isNotZero();
        assertThat(workers.output()).contains("CORACLE_WORKERS must be a whole number");
        Result prefix = vagrant(Map.of("CORACLE_IP_PREFIX", "192.168.1.300"), "validate", "--ignore-provider");
        assertThat(prefix.exitCode()).isNotZero();
        assertThat(prefix.output()).contains("CORACLE_IP_PREFIX must be three octets");
    }

    @Test
    void everyShellScriptIsCleanUnderShellcheck() throws IOException {
        assumeTrue(onPath("shellcheck"), "shellcheck is not installed (apt-get install shellcheck)");
        List<String> scripts = shellScripts();
        assertThat(scripts).contains("coracle", "provision/server.sh", "provision/agent.sh", "provision/lib.sh",
                "images/base-image.sh", ".ci/run");
        List<String> command = new ArrayList<>(List.of("shellcheck", "--external-sources"));
        command.addAll(scripts);
        Result result = run(Map.of(), command);
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void composeFileIsValidAndWantsItsSecretsFromTheEnvironment() {
        assumeTrue(onPath("docker-compose"), "docker-compose is not installed (apt-get install docker-compose)");
        Result withSecrets = run(Map.of("CORACLE_TOKEN", "lab-token", "POSTGRES_PASSWORD", "lab-password"),
                List.of("docker-compose", "--project-directory", ROOT.toString(), "-f", ROOT.resolve("docker-compose.yml").toString(), "config"));
        assertThat(withSecrets.exitCode()).as(withSecrets.output()).isZero();
        assertThat(withSecrets.output()).contains("--token=lab-token", "postgres://coracle:lab-password@postgres:5432/coracle",
                "privileged: true", "server-data:", "service_healthy");
        assertThat(withSecrets.output().lines().filter(line -> line.matches("  (postgres|server|w1|w2|dashboard):")).count()).isEqualTo(5);

        Result withoutToken = run(Map.of("POSTGRES_PASSWORD", "lab-password"),
                List.of("docker-compose", "--project-directory", ROOT.toString(), "-f", ROOT.resolve("docker-compose.yml").toString(), "config", "-q"));
        assertThat(withoutToken.exitCode()).isNotZero();
        assertThat(withoutToken.output()).contains("set CORACLE_TOKEN in .env");
    }

    /** Files tracked (or about to be) whose first line is a shell's shebang, plus sourced libraries. */
    private static List<String> shellScripts() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !ROOT.relativize(f).toString().matches("(\\.git|\\.ci/tools|.*/target|data|lab|\\.vagrant)(/.*)?"))
                    .filter(LabFilesTest::isShellScript)
                    .map(f -> ROOT.relativize(f).toString()).sorted().toList();
        }
    }

    private static boolean isShellScript(Path file) {
        if (file.toString().endsWith(".sh")) {
            return true;
        }
        try (var in = Files.newInputStream(file)) {
            String head = new String(in.readNBytes(64), StandardCharsets.ISO_8859_1);
            return head.startsWith("#!/usr/bin/env bash") || head.startsWith("#!/bin/bash") || head.startsWith("#!/bin/sh");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Debian's vagrant, or the copy {@code .ci/run} unpacks where that package cannot be installed. */
    private static Result vagrant(Map<String, String> env, String... args) {
        String vagrant = onPath("vagrant") ? "vagrant" : ROOT.resolve(".ci/tools/bin/vagrant").toString();
        assumeTrue(onPath("vagrant") || Files.isExecutable(Path.of(vagrant)), "vagrant is not installed (.ci/run installs it)");
        List<String> command = new ArrayList<>(List.of(vagrant));
        command.addAll(List.of(args));
        Map<String, String> environment = new java.util.HashMap<>(env);
        environment.put("VAGRANT_CHECKPOINT_DISABLE", "1");
        environment.put("VAGRANT_HOME", ROOT.resolve("e2e/target/vagrant-home").toString());
        return run(environment, command);
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool)));
    }

    record Result(int exitCode, String output) {
    }

    private static Result run(Map<String, String> env, List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
            builder.environment().keySet().removeIf(name -> name.startsWith("CORACLE_") || name.startsWith("VAGRANT_")
                    || name.equals("POSTGRES_PASSWORD"));
            builder.environment().putAll(env);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within 2 minutes:\n" + output);
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
