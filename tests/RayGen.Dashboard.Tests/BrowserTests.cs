using System;
using System.IO;
using System.Linq;
using NUnit.Framework;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace RayGen.Dashboard.Tests;

/// <summary>
/// The page in a real browser (headless Chromium from the system's packages, driven by chromedriver): the node and a
/// running task appear without a reload, and the task turns FINISHED when it ends. Screenshots are kept as artifacts
/// in the test's output folder (screenshots/).
/// </summary>
[NonParallelizable]
public class BrowserTests
{
    private static readonly string[] s_browsers = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
    private static readonly string[] s_drivers = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

    private string _scratch = "";

    [SetUp]
    public void MakeScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "raygen-dashboard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void Clean()
    {
        Ray.Shutdown();
        try { Directory.Delete(_scratch, recursive: true); } catch (IOException) { }
    }

    private static ChromeDriver StartBrowser()
    {
        var browser = s_browsers.FirstOrDefault(File.Exists);
        var driver = s_drivers.FirstOrDefault(File.Exists);
        if (browser is null || driver is null)
            Assert.Ignore("no headless browser here: install the Debian packages chromium and chromium-driver (.ci/run does) to run the dashboard in a real browser");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = browser };
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,860");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    private static string Screenshot(ChromeDriver browser, string name)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        browser.GetScreenshot().SaveAsFile(path);
        TestContext.AddTestAttachment(path);
        return path;
    }

    [Test]
    public void The_page_shows_the_node_and_a_running_task_live_and_the_task_finishing()
    {
        using var browser = StartBrowser();
        using var ray = Ray.Init(new RayOptions { NumCpus = 2, DashboardPort = 0 });
        Ray.Get(Enumerable.Range(0, 6).Select(i => DashboardTasks.Remote.Add(i, i)).ToList());
        var tally = Tally.Remote.New();
        tally.Add(1).Get();
        var wait = new WebDriverWait(browser, Files.NoHang);
        browser.Navigate().GoToUrl(ray.DashboardUrl!);
        wait.Until(b => b.FindElement(By.Id("live")).Text == "live");
        wait.Until(b => b.FindElement(By.Id("node-count")).Text == "1");
        Assert.That(browser.FindElement(By.Id("cpus")).Text, Does.EndWith("/ 2"));

        // Submitted after the page loaded: only the live stream can bring it.
        var started = Path.Combine(_scratch, "started");
        var gate = Path.Combine(_scratch, "gate");
        var held = DashboardTasks.Remote.HoldUntil(started, gate);
        Files.WaitFor(started);
        browser.FindElement(By.CssSelector("button[data-tab=tasks]")).Click();
        var running = wait.Until(b => b.FindElements(By.CssSelector("#tasks-table tr[data-state=RUNNING]")).FirstOrDefault(r => r.Text.Contains("HoldUntil")));
        Assert.That(running!.Displayed, Is.True);
        var task = running.GetAttribute("data-task");
        browser.FindElement(By.CssSelector("button[data-tab=overview]")).Click();
        wait.Until(b => b.FindElements(By.CssSelector("#task-states [data-state=RUNNING]")).Count == 1);
        Screenshot(browser, "dashboard-overview.png");
        browser.FindElement(By.CssSelector("button[data-tab=tasks]")).Click();
        Screenshot(browser, "dashboard-tasks.png");

        File.WriteAllText(gate, "go");
        Assert.That(held.Get(), Is.EqualTo(1));
        wait.Until(b => b.FindElements(By.CssSelector($"#tasks-table tr[data-task='{task}'][data-state=FINISHED]")).Count == 1);

        browser.FindElement(By.CssSelector("button[data-tab=timeline]")).Click();
        wait.Until(b => b.FindElements(By.CssSelector("#timeline-view .bar")).Count >= 8);
        Screenshot(browser, "dashboard-timeline.png");

        browser.FindElement(By.CssSelector("button[data-tab=actors]")).Click();
        wait.Until(b => b.FindElements(By.CssSelector("#actors-table tr[data-state=ALIVE]")).Count == 1);
    }
}
