package dev.coracle.dashboard;

import dev.coracle.testsupport.Https;
import dev.coracle.testsupport.Ports;
import dev.coracle.testsupport.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real browser (Debian's headless Chromium) against a real control plane and two real node agents,
 * in shared mode: log in with a token, see the nodes, apply a Deployment, watch its pods arrive and scale, follow
 * logs, read the metrics chart, watch a rollout move pods between ReplicaSets, see the API go away and come back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    private static final String NS = "dash-e2e";
    private static final Duration WAIT = Duration.ofSeconds(45);

    @TempDir
    static Path tmp;

    private ServerProcess server;
    private AgentProcess agent1;
    private AgentProcess agent2;
    private CuttableProxy proxy;
    private ConfigurableApplicationContext dashboard;
    private WebDriver browser;
    private String base;
    private final Path screenshots = Path.of("target", "screenshots").toAbsolutePath();

    @BeforeAll
    void start() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/chromium")) || !Files.isExecutable(Path.of("/usr/bin/chromedriver"))) {
            throw new IllegalStateException("this test drives Debian's Chromium: apt-get install chromium chromium-driver (.ci/run does)");
        }
        server = ServerProcess.server("dashboard-browser-test", tmp.resolve("server")).port(Ports.free(20200, 20249)).start();
        agent1 = AgentProcess.start(server, "dash-node-1", tmp.resolve("agent1"), Ports.free(20400, 20449));
        agent2 = AgentProcess.start(server, "dash-node-2", tmp.resolve("agent2"), Ports.free(20450, 20499));
        // the dashboard reaches the API through a relay the test can cut, to see the unreachable banner and the recovery
        proxy = new CuttableProxy(Ports.free(20250, 20299), server.port());
        Path kubeconfig = tmp.resolve("dashboard-kubeconfig.yaml");
        Files.writeString(kubeconfig, Files.readString(server.kubeconfig()).replace(server.url(), "https://127.0.0.1:" + proxy.port()));
        int port = Ports.free(20300, 20399);
        SpringApplication app = new SpringApplication(DashboardApplication.class);
        // shared mode forced on loopback: the login page and the user's own token, as on a shared address
        app.setDefaultProperties(DashboardFlags.parse("--kubeconfig", kubeconfig.toString(), "--port", String.valueOf(port),
                "--bind-address", "127.0.0.1", "--auth", "token").asProperties());
        dashboard = app.run();
        base = "http://127.0.0.1:" + port;
        Files.createDirectories(screenshots);

        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage",
                "--disable-gpu", "--window-size=1280,900", "--user-data-dir=" + tmp.resolve("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        for (AutoCloseable c : new AutoCloseable[]{proxy, agent1, agent2, server}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    @Order(1)
    void aWrongTokenIsRefused() {
        browser.get(base + "/pods");
        assertThat(browser.getCurrentUrl()).endsWith("/login");
        browser.findElement(By.name("token")).sendKeys("not-a-token-the-api-knows");
        submit(() -> browser.findElement(By.cssSelector("form button[type=submit]")).click());
        assertThat(browser.findElement(By.id("login-error")).getText()).contains("401 Unauthorized");
        browser.get(base + "/nodes");
        assertThat(browser.getCurrentUrl()).endsWith("/login");
        screenshot("login-refused");
    }

    @Test
    @Order(2)
    void logsInWithTheAdminTokenAndSeesBothNodes() {
        browser.get(base + "/login");
        browser.findElement(By.name("token")).sendKeys(server.adminToken());
        submit(() -> browser.findElement(By.cssSelector("form button[type=submit]")).click());
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/").doesNotContain(server.adminToken());
        Cookie session = browser.manage().getCookieNamed("CORACLE_SESSION");
        assertThat(session).isNotNull();
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.isSecure()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");

        browser.get(base + "/nodes");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            browser.navigate().refresh();
            String nodes = browser.findElement(By.cssSelector("table.nodes")).getText();
            assertThat(nodes).contains("dash-node-1").contains("dash-node-2");
            assertThat(browser.findElements(By.xpath("//tr[@data-node]//span[contains(@class,'status') and text()='Ready']"))).hasSize(2);
        });
        screenshot("nodes");
        browser.get(base + "/");
        screenshot("overview");
    }

    @Test
    @Order(3)
    void appliesADeploymentAndItsPodsAppearOnTheOpenPodsPageThenScaleToThree() {
        String podsWindow = browser.getWindowHandle();
        browser.get(base + "/pods?ns=" + NS);
        markPage();
        assertThat(browser.findElement(By.id("pod-count")).getText()).isEqualTo("0");

        browser.switchTo().newWindow(WindowType.TAB);
        String applyWindow = browser.getWindowHandle();
        browser.get(base + "/apply");
        // a refused manifest first: the API's 422 is shown field by field
        browser.findElement(By.id("yaml")).sendKeys("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: broken
                  namespace: %s
                spec:
                  replicas: -1
                  selector: {matchLabels: {app: broken}}
                  template:
                    metadata: {labels: {app: other}}
                    spec:
                      containers: [{name: main, image: busybox}]
                """.formatted(NS, NS));
        submit(() -> browser.findElement(By.id("apply")).click());
        String outcome = browser.findElement(By.id("outcomes")).getText();
        assertThat(outcome).contains("namespace/" + NS + " serverside-applied").contains("deployment/broken");
        assertThat(browser.findElement(By.cssSelector(".field-errors")).getText()).contains("spec.replicas");
        screenshot("apply-field-errors");

        browser.findElement(By.id("yaml")).clear();
        browser.findElement(By.id("yaml")).sendKeys("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: ticker
                  namespace: %s
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: ticker}}
                  template:
                    metadata: {labels: {app: ticker}}
                    spec:
                      containers:
                      - name: main
                        image: busybox
                        command: [sh, -c, "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 1; done"]
                """.formatted(NS));
        submit(() -> browser.findElement(By.id("apply")).click());
        assertThat(browser.findElement(By.id("outcomes")).getText()).contains("deployment/ticker serverside-applied");
        screenshot("apply");

        browser.switchTo().window(podsWindow);
        await().atMost(WAIT).untilAsserted(() -> assertThat(runningTickerPods()).hasSize(2));
        assertPageNotReloaded();
        screenshot("pods");

        browser.switchTo().window(applyWindow);
        browser.get(base + "/workloads/deployments/" + NS + "/ticker");
        WebElement replicas = browser.findElement(By.id("replicas"));
        replicas.clear();
        replicas.sendKeys("3");
        submit(() -> browser.findElement(By.id("scale")).click());
        assertThat(flash()).contains("scaled to 3");

        browser.switchTo().window(podsWindow);
        await().atMost(WAIT).untilAsserted(() -> assertThat(runningTickerPods()).hasSize(3));
        assertPageNotReloaded();
        browser.switchTo().window(applyWindow).close();
        browser.switchTo().window(podsWindow);
    }

    @Test
    @Order(4)
    void followsAPodsLogsAndSeesALineWrittenAfterThePageOpened() {
        String pod = runningTickerPods().get(0);
        browser.get(base + "/pods/" + NS + "/" + pod);
        WebElement log = browser.findElement(By.id("log"));
        await().atMost(WAIT).ignoreExceptions().until(() -> !log.getText().isEmpty() || browser.findElement(By.id("log-problem")).isDisplayed());
        WebElement problem = browser.findElement(By.id("log-problem"));
        assertThat(problem.isDisplayed()).as(problem.getText()).isFalse();
        int highest = highestTick(log.getText());
        await().atMost(WAIT).untilAsserted(() -> assertThat(highestTick(log.getText())).isGreaterThan(highest + 1));
        screenshot("pod-logs");
    }

    @Test
    @Order(5)
    void theMetricsChartDrawsNonEmptySeries() throws Exception {
        assertThat(apiStatus("/apis/metrics.k8s.io/v1beta1/nodes")).as("metrics.k8s.io served").isEqualTo(200);
        browser.get(base + "/metrics");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            browser.navigate().refresh();
            List<WebElement> charts = browser.findElements(By.cssSelector("svg.chart"));
            assertThat(charts).isNotEmpty();
            assertThat(Integer.parseInt(charts.get(0).getAttribute("data-points"))).isGreaterThan(0);
            assertThat(browser.findElements(By.cssSelector("svg.chart polyline.series"))).isNotEmpty();
        });
        screenshot("metrics");
    }

    @Test
    @Order(6)
    void theRolloutViewMovesThePodsFromOneReplicaSetToTheOther() {
        browser.get(base + "/workloads/deployments/" + NS + "/ticker");
        await().atMost(WAIT).untilAsserted(() -> assertThat(columns()).hasSize(1));
        String first = columns().get(0).get(0);
        submit(() -> browser.findElement(By.id("restart")).click());
        assertThat(flash()).contains("restarted");
        markPage();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            List<List<String>> cols = columns();
            assertThat(cols).hasSizeGreaterThanOrEqualTo(2);
            List<String> newest = cols.get(0);
            assertThat(newest.get(0)).isNotEqualTo(first);
            assertThat(newest.subList(1, newest.size())).containsExactly("Running", "Running", "Running");
            List<String> old = cols.stream().filter(c -> first.equals(c.get(0))).findFirst().orElseThrow();
            assertThat(old).hasSize(1); // its name only: no pods left
        });
        assertPageNotReloaded();
        screenshot("rollout");

        // kubectl rollout undo --to-revision=1: the template of revision 1 comes back as revision 3
        submit(() -> liveAct(() -> {
            new Select(browser.findElement(By.name("revision"))).selectByValue("1");
            browser.findElement(By.id("undo")).click();
        }));
        assertThat(flash()).contains("rolled back to revision 1");
        await().atMost(WAIT).untilAsserted(() -> assertThat(columns().get(0).get(0)).isEqualTo(first));

        submit(() -> liveAct(() -> browser.findElement(By.id("pause")).click()));
        assertThat(flash()).contains("paused");
        submit(() -> liveAct(() -> browser.findElement(By.id("resume")).click()));
        assertThat(flash()).contains("resumed");
    }

    /** Submits a form and waits for the page it leads to (a click does not wait for the navigation). */
    private void submit(Runnable click) {
        ((JavascriptExecutor) browser).executeScript("window.__beforeSubmit = true;");
        click.run();
        await().atMost(WAIT).ignoreExceptions().until(() -> (Boolean) ((JavascriptExecutor) browser).executeScript(
                "return window.__beforeSubmit === undefined && document.readyState === 'complete';"));
    }

    /** Acts on controls of a live section, which a live update may replace between finding and clicking them. */
    private void liveAct(Runnable action) {
        await().atMost(WAIT).ignoreExceptionsMatching(e -> e instanceof org.openqa.selenium.StaleElementReferenceException
                || e instanceof org.openqa.selenium.NoSuchElementException).until(() -> {
                    action.run();
                    return true;
                });
    }

    /** The message an action left on the page it redirected to; the page's own text when there is none (an error). */
    private String flash() {
        // a click on a submit button does not wait for the page it leads to
        try {
            return await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> browser.findElement(By.cssSelector(".flash.ok")).getText(), t -> !t.isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no action message on " + browser.getCurrentUrl() + ": " + browser.findElement(By.tagName("main")).getText(), e);
        }
    }

    @Test
    @Order(7)
    void pagesRenderAtPhoneWidthAndEveryMainPageAnswers() {
        for (String page : List.of("workloads", "services", "events", "namespaces", "storage")) {
            browser.get(base + "/" + page);
            assertThat(browser.findElement(By.tagName("h1")).getText()).isNotEmpty();
            screenshot(page);
        }
        browser.get(base + "/nodes/dash-node-1");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Conditions").contains("Ready");
        screenshot("node");
        browser.get(base + "/pods?ns=" + NS);
        await().atMost(WAIT).untilAsserted(() -> assertThat(runningTickerPods()).isNotEmpty());
        browser.get(base + "/pods/" + NS + "/" + runningTickerPods().get(0));
        assertThat(browser.findElement(By.id("pod-status")).getText()).isEqualTo("Running");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Containers").contains("main").contains("busybox");
        screenshot("pod");
        browser.get(base + "/search?q=ticker");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Deployment").contains("ReplicaSet").contains("Pod");
        screenshot("search");
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            browser.get(base + "/pods?ns=" + NS);
            long overflow = (Long) ((JavascriptExecutor) browser).executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assertThat(overflow).as("the page itself does not scroll sideways; wide tables scroll in their box").isLessThanOrEqualTo(0);
            screenshot("pods-phone");
            browser.get(base + "/workloads/deployments/" + NS + "/ticker");
            screenshot("rollout-phone");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    @Test
    @Order(8)
    void anUnreachableApiShowsABannerAndThePageRecoversByItself() throws Exception {
        browser.get(base + "/pods?ns=" + NS);
        WebElement banner = browser.findElement(By.id("api-banner"));
        assertThat(banner.isDisplayed()).isFalse();
        markPage();
        proxy.cut();
        try {
            await().atMost(WAIT).until(banner::isDisplayed);
            assertThat(banner.getText()).contains("unreachable");
            screenshot("api-unreachable");
        } finally {
            proxy.restore();
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !browser.findElement(By.id("api-banner")).isDisplayed());
        assertPageNotReloaded();
        await().atMost(WAIT).untilAsserted(() -> assertThat(runningTickerPods()).hasSize(3));
    }

    /** The rollout view's ReplicaSet columns, newest first: name and the status of each pod, read in one go. */
    @SuppressWarnings("unchecked")
    private List<List<String>> columns() {
        return (List<List<String>>) ((JavascriptExecutor) browser).executeScript("""
                return [...document.querySelectorAll('.rs-column')].map(c =>
                  [c.dataset.rs, ...[...c.querySelectorAll('li .status')].map(s => s.textContent)]);""");
    }

    /** The ticker pods the Pods table shows as Running, read in one go (the table is replaced by live updates). */
    @SuppressWarnings("unchecked")
    private List<String> runningTickerPods() {
        List<String> rows = (List<String>) ((JavascriptExecutor) browser).executeScript("""
                return [...document.querySelectorAll('tr[data-pod]')]
                  .filter(r => r.querySelector('.status') && r.querySelector('.status').textContent === 'Running')
                  .map(r => r.dataset.pod);""");
        return rows.stream().filter(r -> r.startsWith(NS + "/ticker-")).map(r -> r.substring(NS.length() + 1)).sorted().toList();
    }

    private static int highestTick(String text) {
        return text.lines().filter(l -> l.contains("tick-")).mapToInt(l -> Integer.parseInt(l.replaceAll(".*tick-(\\d+).*", "$1")))
                .max().orElse(-1);
    }

    /** A marker that a reload would wipe: live updates must arrive without one. */
    private void markPage() {
        ((JavascriptExecutor) browser).executeScript("window.__noReload = 'still-here';");
    }

    private void assertPageNotReloaded() {
        assertThat(((JavascriptExecutor) browser).executeScript("return window.__noReload;")).isEqualTo("still-here");
    }

    /** GET with the admin token, straight to the API: the status code (for "is metrics.k8s.io served here?"). */
    private int apiStatus(String path) throws Exception {
        return Https.trustAllClient().send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Authorization", "Bearer " + server.adminToken()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void screenshot(String name) {
        try {
            File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), screenshots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            throw new IllegalStateException("screenshot " + name, e);
        }
    }

}
